/** Subscriptions to twin changes, fed by the outbox; each can resume from a cursor. */
export const changeTypeDefs = /* GraphQL */ `
  type DeviceChange {
    "The outbox position of this change: pass it as after to resume from here."
    cursor: ID!
    "The device event type: registered, lifecycle-changed, connected, reported, bound, … (see kinds)."
    kind: String!
    "The twin version this change produced; consecutive per device, so a gap is visible."
    version: Int!
    occurredAt: DateTime!
    device: Device!
  }

  "A device's lifecycle transition, as subscribers receive it."
  type LifecycleTransition {
    cursor: ID!
    tenantId: ID!
    deviceId: ID!
    from: Lifecycle!
    to: Lifecycle!
    at: DateTime!
    actor: String!
    reason: String!
    replacedBy: ID
    effects: [LifecycleEffect!]!
    "The twin version this transition produced."
    version: Int!
    "The device right after the transition."
    device: Device!
  }

  type AssetChange {
    cursor: ID!
    "The asset event type: created, attributes-changed, device-bound, device-unbound or device-status-changed."
    kind: String!
    version: Int!
    occurredAt: DateTime!
    "The asset right after the change."
    asset: Asset!
  }

  type Subscription {
    """
    Changes of a tenant's device twins, optionally of one device, of devices bound to one site
    (at the time of the change) and of some kinds only. With after (a cursor), first every
    matching change after that cursor, then live ones: none lost, none twice. A cursor older
    than the retention window is refused with api:subscription.cursor-expired.
    """
    deviceChanged(
      tenantId: ID!
      deviceId: ID
      siteId: ID
      kinds: [String!]
      after: ID
    ): DeviceChange!
    "Lifecycle transitions of a tenant's devices, with the same filters and resume as deviceChanged."
    lifecycleChanged(tenantId: ID!, deviceId: ID, siteId: ID, after: ID): LifecycleTransition!
    "Changes of a tenant's asset twins, with the same filters and resume as deviceChanged."
    assetChanged(tenantId: ID!, assetId: ID, siteId: ID, kinds: [String!], after: ID): AssetChange!
  }
`;

/** The twin graph: tenant → customer → site → asset → device, traversable both ways. */
export const graphTypeDefs = /* GraphQL */ `
  "Anything with a global id: base64 of Type:tenant:id. Fetch it again with node(id)."
  interface Node {
    id: ID!
  }

  "How well an asset does its job, derived from the device bound to it."
  enum AssetHealth {
    "The bound device is active and online."
    OK
    "The bound device is in maintenance, or its connection is lost and may come back."
    DEGRADED
    "No device is bound, or it is offline, inactive, replaced or retired."
    DOWN
    "Nothing is known yet (the bound device never connected)."
    UNKNOWN
  }

  "Whom the tenant serves: the owner of sites."
  type Customer implements Node {
    id: ID!
    tenantId: ID!
    customerId: ID!
    name: String!
    createdAt: DateTime!
    sites(first: Int, after: String): SiteConnection!
  }

  "A place where a customer's assets stand."
  type Site implements Node {
    id: ID!
    tenantId: ID!
    siteId: ID!
    name: String!
    tags: [String!]!
    createdAt: DateTime!
    customer: Customer!
    assets(first: Int, after: String): AssetConnection!
    "The devices bound to assets of this site."
    devices(first: Int, after: String): DeviceConnection!
  }

  "What the business cares about (a charger bay, a machine, a room); devices are bound to it over time."
  type Asset implements Node {
    id: ID!
    tenantId: ID!
    assetId: ID!
    "The twin's Temporal workflow id, to look it up in Temporal UI."
    workflowId: String!
    name: String!
    kind: String
    attributes: JSONObject!
    tags: [String!]!
    health: AssetHealth!
    site: Site
    customer: Customer
    "The device bound now."
    device: Device
    "Every device that was bound, oldest first; the current one has no end."
    bindingHistory: [BindingPeriod!]!
    "Incremented by every change of the asset twin."
    version: Int!
    createdAt: DateTime
    updatedAt: DateTime
  }

  "A device's time in an asset: from when to when, who bound and unbound it, and why."
  type BindingPeriod {
    deviceId: ID!
    device: Device
    from: DateTime!
    "Null while the device is still bound."
    to: DateTime
    "Who bound it (null for bindings recorded before this was kept)."
    boundBy: String
    "Why: provisioned, replaces <device>, or the reason given to bindDevice."
    boundReason: String
    unboundBy: String
    "Why it left: replaced by <device>: <reason>, retired: <reason>, or the reason given to unbindDevice."
    unboundReason: String
  }

  extend type Device implements Node {
    id: ID!
    "The serial it was provisioned under: its id, as provisioning keys devices by serial; null for a device registered without provisioning."
    serial: ID
    "The asset the device is bound to, and where that asset stands."
    asset: Asset
    site: Site
    customer: Customer
  }

  extend type Query {
    node(id: ID!): Node
    customer(tenantId: ID!, customerId: ID!): Customer
    site(tenantId: ID!, siteId: ID!): Site
    asset(tenantId: ID!, assetId: ID!): Asset
    "A tenant's devices, ordered by id. first: 1–500, default 50."
    devices(tenantId: ID!, filter: DeviceFilter, first: Int, after: String): DeviceConnection!
    assets(tenantId: ID!, filter: AssetFilter, first: Int, after: String): AssetConnection!
    sites(tenantId: ID!, filter: SiteFilter, first: Int, after: String): SiteConnection!
    customers(tenantId: ID!, first: Int, after: String): CustomerConnection!
    "Device counts of a tenant, or of one of its sites or customers."
    fleetSummary(tenantId: ID!, siteId: ID, customerId: ID): FleetSummary!
  }
`;

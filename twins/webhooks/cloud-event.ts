/** A twin's change as the outbox holds it (db's OutboxEntry) and a partner receives it. */
export interface TwinChange {
  /** The outbox id: the cursor, stable across re-deliveries. */
  readonly id: number;
  readonly tenantId: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly kind: string;
  readonly event: unknown;
  readonly state: unknown;
  readonly occurredAt: string;
}

/** The CloudEvents 1.0 attributes of a twin change (structured mode, JSON data). */
export interface TwinChangeCloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: { readonly version: number; readonly event: unknown; readonly state: unknown };
  /** The outbox id (a string: CloudEvents integers stop at 2^31). Replay from it. */
  readonly doppelcursor: string;
  /** The twin's version after this change: per twin, versions only grow. */
  readonly doppelversion: string;
  readonly doppeltenant: string;
}

/**
 * The CloudEvent of a twin change. Its `id` is `<tenant>:<cursor>`: the same for every delivery
 * of the event, so a receiver drops duplicates by id (delivery is at least once).
 *
 * @example twinChangeCloudEvent(change).type // 'dev.doppel.device.connected'
 */
export function twinChangeCloudEvent(change: TwinChange): TwinChangeCloudEvent {
  const plural = change.aggregateType === 'asset' ? 'assets' : 'devices';
  return {
    specversion: '1.0',
    id: `${change.tenantId}:${change.id}`,
    source: `/doppel/tenants/${change.tenantId}/${plural}/${change.aggregateId}`,
    type: `dev.doppel.${change.aggregateType}.${change.kind}`,
    subject: change.aggregateId,
    time: new Date(change.occurredAt).toISOString(),
    datacontenttype: 'application/json',
    data: { version: change.version, event: change.event, state: change.state },
    doppelcursor: String(change.id),
    doppelversion: String(change.version),
    doppeltenant: change.tenantId,
  };
}

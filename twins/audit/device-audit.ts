import type { DeviceEvent, DeviceTwinState } from '../device';

/** An audit entry a device twin's change makes: who changed what, why, from what to what. */
export interface TwinAuditEntry {
  readonly at: string;
  readonly actor: string;
  readonly operation: string;
  readonly subject: string;
  readonly reason: string | null;
  readonly before: unknown;
  readonly after: unknown;
  /** Unique per tenant: the twin version the change produced. */
  readonly sourceKey: string;
}

/** The changes that enter the audit trail; device data (reports, connections) does not. */
const AUDITED = new Set<DeviceEvent['type']>([
  'registered',
  'lifecycle-changed',
  'desired-changed',
  'command-queued',
  'command-finished',
  'tags-changed',
  'bound',
  'unbound',
]);

/**
 * The audit entry of one twin event, given the state before and after it; null for events
 * that are not audited. Pure: the projection writes what this returns.
 */
export function deviceAuditEntry(
  before: DeviceTwinState,
  event: DeviceEvent,
  after: DeviceTwinState,
): TwinAuditEntry | null {
  if (!AUDITED.has(event.type)) return null;
  const base = {
    at: event.at,
    operation: `device.${event.type}`,
    subject: `device:${after.deviceId}`,
    sourceKey: `device:${after.deviceId}:v${after.version}`,
  };
  switch (event.type) {
    case 'registered':
      return {
        ...base,
        actor: event.actor,
        reason: null,
        before: null,
        after: { model: event.model },
      };
    case 'lifecycle-changed':
      return {
        ...base,
        actor: event.actor,
        reason: event.reason,
        before: { state: event.from },
        after: { state: event.to, effects: event.effects, replacedBy: event.replacedBy },
      };
    case 'desired-changed': {
      const previous: Record<string, unknown> = {};
      for (const key of Object.keys(event.changes))
        previous[key] = before.shadow.desired[key] ?? null;
      return { ...base, actor: event.actor, reason: null, before: previous, after: event.changes };
    }
    case 'command-queued':
      return {
        ...base,
        actor: event.actor,
        reason: null,
        before: null,
        after: { id: event.id, name: event.name, params: event.params, expiresAt: event.expiresAt },
      };
    case 'command-finished':
      return {
        ...base,
        actor: 'device',
        reason: null,
        before: null,
        after: { id: event.id, status: event.status, result: event.result },
      };
    case 'tags-changed':
      return {
        ...base,
        actor: event.actor,
        reason: null,
        before: before.tags ?? [],
        after: event.tags,
      };
    case 'bound':
      return {
        ...base,
        actor: 'twin',
        reason: null,
        before: before.binding ?? null,
        after: { assetId: event.assetId, siteId: event.siteId, customerId: event.customerId },
      };
    case 'unbound':
      return { ...base, actor: 'twin', reason: null, before: before.binding ?? null, after: null };
    default:
      return null;
  }
}

import type { DeviceTwinState } from '../../../twins/device';

/** Why a device is not connected, one answer (the GraphQL enum `OfflineCause`, lower-case). */
export type OfflineCause =
  | 'never-provisioned'
  | 'never-activated'
  | 'never-connected'
  | 'retired'
  | 'replaced'
  | 'device-closed'
  | 'server-closed'
  | 'heartbeat-missed'
  | 'gateway-lost'
  | 'will'
  | 'refused-credentials';

export interface WhyOffline {
  readonly reason: OfflineCause;
  readonly since: string | null;
  readonly detail: string;
}

/** What "why offline" reads besides the record: the newest connection and the refused logins. */
export interface OfflineEvidence {
  /** How the device's newest connection ended (`device_sessions.close_reason`), if it had one. */
  readonly lastCloseReason: string | null;
  readonly refusals: {
    readonly count: number;
    readonly lastAt: string;
    readonly lastCode: string;
  } | null;
  /** A provisioning request for a serial without a record: its status and reason. */
  readonly provisioning?: { readonly status: string; readonly reason: string | null } | null;
}

const CLOSE_CAUSES: Readonly<Record<string, OfflineCause>> = {
  'device-closed': 'device-closed',
  disconnected: 'device-closed',
  'server-closed': 'server-closed',
  'heartbeat-missed': 'heartbeat-missed',
  'gateway-lost': 'gateway-lost',
  will: 'will',
};

const DETAILS: Readonly<Record<string, string>> = {
  'device-closed': 'the device closed its connection',
  'server-closed': 'the gateway closed the connection (shutdown, or on request of the twin)',
  'heartbeat-missed': 'the device fell silent: no message or ping within the idle timeout',
  'gateway-lost': 'the gateway holding the connection stopped (its heartbeat was lost)',
  will: 'the device left a will message: it is presumed to have failed',
};

/**
 * One answer to "why is this device offline", or null while it is online (a lost connection
 * inside its grace period counts as online). In order: no record; retired or replaced; a
 * refused login newer than the last time it was seen (a wrong or revoked secret, a spent
 * claim); never activated; never connected; then how its last connection ended.
 */
export function whyOffline(
  state: DeviceTwinState | null,
  evidence: OfflineEvidence,
): WhyOffline | null {
  if (!state) {
    const p = evidence.provisioning;
    return {
      reason: 'never-provisioned',
      since: null,
      detail: p
        ? `no device record; its provisioning is ${p.status}${p.reason ? `: ${p.reason}` : ''}`
        : 'no device record: the serial was never registered or provisioned',
    };
  }
  const { lifecycle, connectivity } = state;
  if (lifecycle.state === 'retired')
    return { reason: 'retired', since: lifecycle.at || null, detail: lifecycle.reason };
  if (lifecycle.state === 'replaced')
    return {
      reason: 'replaced',
      since: lifecycle.at || null,
      detail: lifecycle.replacedBy
        ? `replaced by ${lifecycle.replacedBy}: ${lifecycle.reason}`
        : lifecycle.reason,
    };
  if (connectivity.status === 'online') return null;
  const seen = connectivity.since;
  const refusal = evidence.refusals;
  if (refusal && (seen === null || Date.parse(refusal.lastAt) > Date.parse(seen)))
    return {
      reason: 'refused-credentials',
      since: refusal.lastAt,
      detail: `${refusal.lastCode} (${refusal.count} refused logins in all)`,
    };
  if (lifecycle.state === 'provisioned')
    return {
      reason: 'never-activated',
      since: lifecycle.at || null,
      detail: 'registered, but the device never connected to activate it',
    };
  if (connectivity.status === 'unknown')
    return {
      reason: 'never-connected',
      since: lifecycle.at || null,
      detail: `${lifecycle.state}, but the device never connected`,
    };
  const cause =
    CLOSE_CAUSES[evidence.lastCloseReason ?? ''] ??
    CLOSE_CAUSES[connectivity.reason ?? ''] ??
    'device-closed';
  return { reason: cause, since: seen, detail: DETAILS[cause]! };
}

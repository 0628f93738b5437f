import { jsonEqual } from '../json-equal';
import { readPath } from '../profiles/dot-path';
import { isOpen } from './commands-queue';
import type { DeviceEvent } from './events';
import type { DeviceTwinState } from './state';

/** What of a model's reports its twin must hear (a device profile's `twin` block). */
export interface TwinInterest {
  readonly fields: readonly string[];
  readonly thresholds: ReadonlyArray<{
    readonly field: string;
    readonly above?: number | undefined;
    readonly below?: number | undefined;
  }>;
}

export const NO_INTEREST: TwinInterest = { fields: [], thresholds: [] };

/** Why a twin must look at its record after a change; see docs/architecture.md, "notices". */
export type NoticeReason =
  | 'activation'
  | 'watched'
  | 'firmware'
  | 'model'
  | 'commands'
  | 'status'
  | `field:${string}`
  | `threshold:${string}`;

/**
 * The reasons a change committed by the ingest path (connect, report, disconnect, grace
 * expiry) needs the device's twin; empty for a plain report, reconnect or disconnect, which
 * then cost no Temporal action. Pure: the ingest transaction calls it on the locked record.
 *
 * @example noticeReasons(before, after, events) // ['activation'] for a first connection
 */
export function noticeReasons(
  before: DeviceTwinState,
  after: DeviceTwinState,
  events: readonly DeviceEvent[],
  interest: TwinInterest = NO_INTEREST,
): NoticeReason[] {
  if (events.length === 0) return [];
  const reasons = new Set<NoticeReason>();
  const connected = events.some((e) => e.type === 'connected');
  if (connected && after.lifecycle.state === 'provisioned') reasons.add('activation');
  if (after.activation && !jsonEqual(observed(before), observed(after))) reasons.add('watched');
  if ((before.firmware ?? null) !== (after.firmware ?? null)) reasons.add('firmware');
  if ((before.model ?? null) !== (after.model ?? null)) reasons.add('model');
  if (connected && (after.commands ?? []).some(isOpen)) reasons.add('commands');
  if (after.binding && before.connectivity.status !== after.connectivity.status)
    reasons.add('status');
  const was = before.shadow.reported;
  const now = after.shadow.reported;
  for (const f of interest.fields)
    if (!jsonEqual(readPath(was, f).value, readPath(now, f).value)) reasons.add(`field:${f}`);
  for (const t of interest.thresholds)
    if (side(readPath(was, t.field).value, t) !== side(readPath(now, t.field).value, t))
      reasons.add(`threshold:${t.field}`);
  return [...reasons];
}

/** Which side of a threshold a value is on: below, inside or above (not a number: none). */
function side(value: unknown, t: TwinInterest['thresholds'][number]): string {
  if (typeof value !== 'number') return 'none';
  if (t.above !== undefined && value > t.above) return 'above';
  if (t.below !== undefined && value < t.below) return 'below';
  return 'inside';
}

/** What a provisioning watcher sees of a device (connection, model, firmware, watched fields). */
export function observed(state: DeviceTwinState) {
  return observation(state, state.activation?.fields ?? []);
}

/** What a provisioning watcher sees of a device through the given reported fields. */
export function observation(state: DeviceTwinState, fields: readonly string[]) {
  const reported: Record<string, unknown> = {};
  for (const field of fields) {
    const { found, value } = readPath(state.shadow.reported, field);
    if (found) reported[field] = value;
  }
  return {
    connected: state.connectivity.status !== 'unknown',
    model: state.model,
    firmware: state.firmware,
    reported,
  };
}

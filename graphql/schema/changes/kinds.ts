import type { AssetEventType } from '../../../twins/asset';
import type { DeviceEventType } from '../../../twins/device';
import { apiError } from '../../errors';

// Records, not arrays: adding an event type to a twin fails type-checking here until the API
// knows it, so a subscriber's `kinds` filter can be checked instead of silently matching nothing.
const DEVICE_KINDS: Record<DeviceEventType, true> = {
  registered: true,
  'lifecycle-changed': true,
  connected: true,
  reported: true,
  'desired-changed': true,
  'connection-lost': true,
  bound: true,
  unbound: true,
  'command-queued': true,
  'command-sent': true,
  'command-returned': true,
  'command-finished': true,
  'tags-changed': true,
  noted: true,
  disconnected: true,
};
const ASSET_KINDS: Record<AssetEventType, true> = {
  created: true,
  'attributes-changed': true,
  'device-bound': true,
  'device-unbound': true,
  'device-status-changed': true,
};

/** A subscriber's `kinds` argument, checked against the twin's event types; absent means all. */
export function kindsFilter(
  of: 'device' | 'asset',
  kinds: readonly string[] | null | undefined,
): readonly string[] | undefined {
  if (kinds === null || kinds === undefined) return undefined;
  const known = Object.keys(of === 'device' ? DEVICE_KINDS : ASSET_KINDS);
  const unknown = kinds.filter((k) => !known.includes(k));
  if (kinds.length === 0 || unknown.length > 0)
    throw apiError(
      'api:subscription.unknown-kind',
      `kinds must list ${of} event types (${known.join(', ')}); got ${unknown.join(', ') || 'none'}`,
      { unknown },
    );
  return kinds;
}

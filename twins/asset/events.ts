import type { JsonObject } from '../shadow';
import type { DeviceStatus } from './device-status';

/** What happened to an asset twin. Each event carries the time it happened. */
export type AssetEvent =
  | {
      readonly type: 'created';
      readonly at: string;
      readonly actor: string;
      readonly name: string;
      readonly kind: string | null;
      readonly siteId: string | null;
      readonly customerId: string | null;
      readonly attributes: JsonObject;
      readonly tags: readonly string[];
    }
  | {
      readonly type: 'attributes-changed';
      readonly at: string;
      readonly actor: string;
      /** The effective part of the attributes patch (`null` deletes a key). */
      readonly changes: JsonObject;
      /** The new name or tags, null when unchanged. */
      readonly name: string | null;
      readonly tags: readonly string[] | null;
    }
  | {
      readonly type: 'device-bound';
      readonly at: string;
      readonly actor: string;
      readonly deviceId: string;
      /** The device's status when it was bound, when the device twin told it. */
      readonly status: DeviceStatus | null;
      /** Why it was bound, when the caller said (absent in events recorded before reasons were). */
      readonly reason?: string;
    }
  | {
      readonly type: 'device-unbound';
      readonly at: string;
      readonly actor: string;
      readonly deviceId: string;
      /** Why it was unbound, when the caller said. */
      readonly reason?: string;
    }
  | { readonly type: 'device-status-changed'; readonly at: string; readonly status: DeviceStatus };

export type AssetEventType = AssetEvent['type'];

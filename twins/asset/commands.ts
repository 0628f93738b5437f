import type { DeviceStatus } from './device-status';

/** What the outside world asks of an asset twin. Time (`at`) is always an input. */
export type AssetCommand =
  | {
      readonly type: 'create';
      readonly at: string;
      readonly actor: string;
      readonly name: string;
      readonly kind?: string | null;
      readonly siteId: string | null;
      readonly customerId: string | null;
      /** Any JSON object; `null` values are dropped. */
      readonly attributes?: unknown;
      readonly tags?: readonly string[];
    }
  | {
      readonly type: 'set-attributes';
      readonly at: string;
      readonly actor: string;
      /** A merge patch of the attributes: nested objects merge, `null` deletes a key. */
      readonly attributes?: unknown;
      readonly name?: string;
      /** Replaces the tags. */
      readonly tags?: readonly string[];
    }
  /**
   * Installs a device. The workflow sends it only after the device twin agreed, with the
   * device's status at that moment.
   */
  | {
      readonly type: 'bind';
      readonly at: string;
      readonly actor: string;
      readonly deviceId: string;
      readonly status?: DeviceStatus | null;
      /** Why, for the binding history (e.g. "provisioned", "replaces c-17"). */
      readonly reason?: string;
    }
  /** Removes the bound device; `deviceId`, when given, must be the bound one. */
  | {
      readonly type: 'unbind';
      readonly at: string;
      readonly actor: string;
      readonly deviceId?: string;
      /** Why, for the binding history (e.g. "replaced by c-18: cracked display"). */
      readonly reason?: string;
    }
  /** Sent by a device twin bound to this asset. */
  | { readonly type: 'device-status'; readonly status: DeviceStatus };

export type AssetCommandType = AssetCommand['type'];

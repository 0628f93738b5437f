import type { LifecycleState, OfflineReason } from './state';

/** What the outside world asks of a device twin. Time (`at`) is always an input. */
export type DeviceCommand =
  | {
      readonly type: 'register';
      readonly at: string;
      readonly actor: string;
      readonly model?: string;
    }
  | {
      readonly type: 'transition';
      readonly at: string;
      readonly to: LifecycleState;
      readonly actor: string;
      readonly reason: string;
      /** Required when `to` is `replaced`: the device that takes this one's place. */
      readonly replacedBy?: string;
      /** Optimistic concurrency: refuse unless the twin is still at this version. */
      readonly expectedVersion?: number;
    }
  | {
      readonly type: 'connect';
      readonly at: string;
      readonly sessionId: string;
      readonly gatewayNode: string;
      readonly seq: number;
      readonly model?: string;
      readonly firmware?: string;
    }
  | {
      readonly type: 'report';
      readonly at: string;
      readonly sessionId: string;
      readonly seq: number;
      /** A partial reported document: nested objects merge, `null` deletes a key. */
      readonly state: Readonly<Record<string, unknown>>;
      /** Fields the device profile flagged (unknown, mistyped, out of range): field → issue code. */
      readonly flags?: Readonly<Record<string, string>>;
    }
  | {
      readonly type: 'desire';
      readonly at: string;
      readonly actor: string;
      /** A partial desired document: nested objects merge, `null` deletes a key. */
      readonly patch: unknown;
      /** Optimistic concurrency on the shadow version. */
      readonly expectedVersion?: number;
    }
  | {
      readonly type: 'disconnect';
      readonly at: string;
      readonly sessionId: string;
      readonly reason: OfflineReason;
    }
  /** Sent by the asset twin: the device is installed in (bound to) this asset. */
  | {
      readonly type: 'bind';
      readonly at: string;
      readonly assetId: string;
      readonly siteId: string | null;
      readonly customerId: string | null;
    }
  | { readonly type: 'unbind'; readonly at: string; readonly assetId: string }
  | {
      readonly type: 'set-tags';
      readonly at: string;
      readonly actor: string;
      readonly tags: readonly string[];
    }
  /** The twin's own timer: the grace period of a lost connection is over. */
  | { readonly type: 'grace-expired'; readonly at: string };

export type DeviceCommandType = DeviceCommand['type'];

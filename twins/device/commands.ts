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
      readonly state: Readonly<Record<string, unknown>>;
    }
  | {
      readonly type: 'disconnect';
      readonly at: string;
      readonly sessionId: string;
      readonly reason: OfflineReason;
    }
  /** The twin's own timer: the grace period of a lost connection is over. */
  | { readonly type: 'grace-expired'; readonly at: string };

export type DeviceCommandType = DeviceCommand['type'];

import type { LifecycleEffect } from './lifecycle';
import type { LifecycleState, OfflineReason } from './state';

/** What happened to a device twin. Each event carries the time it happened. */
export type DeviceEvent =
  | {
      readonly type: 'registered';
      readonly at: string;
      readonly actor: string;
      readonly model: string | null;
    }
  | {
      readonly type: 'lifecycle-changed';
      readonly at: string;
      readonly from: LifecycleState;
      readonly to: LifecycleState;
      readonly actor: string;
      readonly reason: string;
      readonly replacedBy: string | null;
      /** What this change sets in motion; carried out by the twin workflow. */
      readonly effects: readonly LifecycleEffect[];
    }
  | {
      readonly type: 'connected';
      readonly at: string;
      readonly sessionId: string;
      readonly gatewayNode: string;
      readonly seq: number;
      readonly model: string | null;
      readonly firmware: string | null;
      /** True when the device came back within the grace period: it never went offline. */
      readonly resumed: boolean;
    }
  | {
      readonly type: 'reported';
      readonly at: string;
      readonly seq: number;
      /** Only the keys whose value changed; `null` deletes a key. */
      readonly changes: Readonly<Record<string, unknown>>;
    }
  | {
      readonly type: 'connection-lost';
      readonly at: string;
      readonly sessionId: string;
      readonly reason: OfflineReason;
      /** The device counts as offline from then on unless it reconnects. */
      readonly deadline: string;
    }
  | {
      readonly type: 'disconnected';
      readonly at: string;
      readonly reason: OfflineReason;
    };

export type DeviceEventType = DeviceEvent['type'];

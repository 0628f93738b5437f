import type { JsonObject } from '../shadow';
import type { LifecycleEffect } from './lifecycle';
import type { ActivationWatch, LifecycleState, OfflineReason } from './state';

/** What happened to a device twin. Each event carries the time it happened. */
export type DeviceEvent =
  | {
      readonly type: 'registered';
      readonly at: string;
      readonly actor: string;
      readonly model: string | null;
      /** Present when a provisioning workflow verifies the activation. */
      readonly activation?: ActivationWatch;
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
      readonly protocol?: string;
      readonly model: string | null;
      readonly firmware: string | null;
      /** True when the device came back within the grace period: it never went offline. */
      readonly resumed: boolean;
    }
  | {
      readonly type: 'reported';
      readonly at: string;
      readonly seq: number;
      /** The effective part of the report (`null` deletes a key). */
      readonly changes: JsonObject;
      /** Flags set (issue code) or cleared (`null`) by this report. */
      readonly flags: Readonly<Record<string, string | null>>;
    }
  | {
      readonly type: 'desired-changed';
      readonly at: string;
      readonly actor: string;
      /** The effective part of the patch (`null` deletes a key). */
      readonly changes: JsonObject;
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
      readonly type: 'bound';
      readonly at: string;
      readonly assetId: string;
      readonly siteId: string | null;
      readonly customerId: string | null;
    }
  | { readonly type: 'unbound'; readonly at: string; readonly assetId: string }
  | {
      readonly type: 'command-queued';
      readonly at: string;
      readonly actor: string;
      readonly id: string;
      readonly name: string;
      readonly params: Readonly<Record<string, unknown>>;
      readonly expiresAt: string;
    }
  | { readonly type: 'command-sent'; readonly at: string; readonly id: string }
  | { readonly type: 'command-returned'; readonly at: string; readonly id: string }
  | {
      readonly type: 'command-finished';
      readonly at: string;
      readonly id: string;
      readonly status: 'succeeded' | 'failed' | 'rejected' | 'timed-out' | 'expired';
      readonly result: Readonly<Record<string, unknown>> | null;
    }
  | {
      readonly type: 'tags-changed';
      readonly at: string;
      readonly actor: string;
      readonly tags: readonly string[];
    }
  /**
   * The twin took note of reported fields its device profile declares lifecycle-relevant
   * (`twin.fields`, or crossing one of `twin.thresholds`): their values as the record held them.
   */
  | {
      readonly type: 'noted';
      readonly at: string;
      readonly fields: Readonly<Record<string, unknown>>;
    }
  | {
      readonly type: 'disconnected';
      readonly at: string;
      readonly reason: OfflineReason;
    };

export type DeviceEventType = DeviceEvent['type'];

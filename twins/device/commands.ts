import type { CommandOutcome } from './commands-queue';
import type { ActivationWatch, LifecycleState, OfflineReason } from './state';

/** What the outside world asks of a device twin. Time (`at`) is always an input. */
export type DeviceCommand =
  | {
      readonly type: 'register';
      readonly at: string;
      readonly actor: string;
      readonly model?: string;
      /** Activation is verified by this provisioning workflow instead of the first connection. */
      readonly activation?: ActivationWatch;
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
      /** How the device speaks: `json`, `mqtt`, `ocpp1.6`, `ocpp2.0.1` (absent from older gateways). */
      readonly protocol?: string;
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
  | {
      readonly type: 'queue-command';
      readonly at: string;
      readonly actor: string;
      /** Chosen by the caller: retrying with the same id queues nothing new. */
      readonly id: string;
      readonly name: string;
      readonly params: Readonly<Record<string, unknown>>;
      readonly ttlMs: number;
    }
  /** The workflow handed a command to the gateway holding the connection. */
  | { readonly type: 'command-sent'; readonly at: string; readonly id: string }
  /** The gateway's report of the device's answer (or of why there is none). */
  | {
      readonly type: 'command-answered';
      readonly at: string;
      readonly id: string;
      readonly outcome: CommandOutcome;
    }
  /** The connection was gone before delivery: the command waits for the next one. */
  | { readonly type: 'command-returned'; readonly at: string; readonly id: string }
  /** The twin's own timer: commands past their time-to-live expire. */
  | { readonly type: 'expire-commands'; readonly at: string }
  /** The twin's own timer: the grace period of a lost connection is over. */
  | { readonly type: 'grace-expired'; readonly at: string }
  /**
   * A notice: the ingest path committed a change to the record that needs the twin (why, in
   * `reasons`); the twin decides on the record as it is now, so a repeated notice is harmless.
   */
  | { readonly type: 'observe'; readonly at: string; readonly reasons: readonly string[] };

export type DeviceCommandType = DeviceCommand['type'];

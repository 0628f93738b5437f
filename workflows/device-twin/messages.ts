import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ActivationWatch,
  DeviceCommand,
  DeviceTwinSettings,
  DeviceTwinState,
  LifecycleRecord,
  LifecycleState,
} from '../../twins/device';
import type { DeviceKey } from '../../twins/ids';

/** Public message definitions of the device twin: gateway/ and graphql/ import these. */
export const DEVICE_TWIN_WORKFLOW = 'deviceTwin';

/**
 * A batch of commands, coalesced per device by the sender. `(sender, batch)` identifies it:
 * a batch the twin has already applied (a retried signal) changes nothing.
 */
export interface DeviceInput {
  readonly sender: string;
  readonly batch: number;
  readonly commands: readonly DeviceCommand[];
  /**
   * W3C trace context of the message the batch comes from (the notice drainer's span): the
   * twin projects what the batch changes in that trace.
   */
  readonly traceparent?: string;
}

export interface DeviceTwinArgs extends DeviceKey {
  readonly settings?: DeviceTwinSettings;
  /** Carried over by continue-as-new. */
  readonly state?: DeviceTwinState;
  readonly pending?: readonly DeviceCommand[];
  readonly lastBatches?: Readonly<Record<string, number>>;
}

export interface TransitionRequest {
  readonly to: LifecycleState;
  readonly actor: string;
  readonly reason: string;
  readonly replacedBy?: string;
  readonly expectedVersion?: number;
}

export interface TransitionResult {
  readonly version: number;
  readonly lifecycle: LifecycleRecord;
}

export interface DesiredRequest {
  readonly actor: string;
  /** A partial desired document: nested objects merge, `null` deletes a key. */
  readonly patch: Record<string, unknown>;
  /** Refuse unless the shadow is still at this version (twin:shadow.version-conflict). */
  readonly expectedVersion?: number;
}

export interface ShadowResult {
  readonly version: number;
  readonly shadowVersion: number;
}

export const deviceInputSignal = defineSignal<[DeviceInput]>('deviceInput');
export const deviceStateQuery = defineQuery<DeviceTwinState>('deviceState');
/** Moves the device through its lifecycle; refused (not recorded) when the transition is not allowed. */
export const transitionLifecycleUpdate = defineUpdate<TransitionResult, [TransitionRequest]>(
  'transitionLifecycle',
);
/** Changes desired state; the delta is pushed to the device when it is online, else on reconnect. */
export const updateDesiredUpdate = defineUpdate<ShadowResult, [DesiredRequest]>('updateDesired');
/** Sent by the asset twin: the device is installed in this asset (refused when bound elsewhere). */
export const bindAssetUpdate = defineUpdate<
  { version: number },
  [{ assetId: string; siteId: string | null; customerId: string | null }]
>('bindAsset');
/** Registers the device (idempotent); answered once the registration is projected. */
export const registerUpdate = defineUpdate<
  { version: number },
  [{ actor: string; model?: string; activation?: ActivationWatch }]
>('register');
/** Replaces the device's tags (sorted, deduplicated). */
export const setTagsUpdate = defineUpdate<
  { version: number },
  [{ actor: string; tags: readonly string[] }]
>('setTags');
export interface CommandRequest {
  readonly actor: string;
  /** Chosen by the caller, so a retried request queues nothing new. */
  readonly id: string;
  readonly name: string;
  readonly params: Record<string, unknown>;
  readonly ttlMs: number;
}

/** Queues a command for the device: delivered now if it is online, else when it reconnects. */
export const sendCommandUpdate = defineUpdate<
  { version: number; commandId: string },
  [CommandRequest]
>('sendCommand');
export const unbindAssetUpdate = defineUpdate<{ version: number }, [{ assetId: string }]>(
  'unbindAsset',
);

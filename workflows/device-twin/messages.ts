import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DeviceCommand, DeviceTwinState } from '../../twins/device';
import type { DeviceKey } from '../../twins/ids';

/** Public message definitions of the device twin: gateway/ and graphql/ import these. */
export const DEVICE_TWIN_WORKFLOW = 'deviceTwin';

/** A batch of commands, coalesced per device by the sender. */
export interface DeviceInput {
  readonly commands: readonly DeviceCommand[];
}

export interface DeviceTwinArgs extends DeviceKey {
  /** Carried over by continue-as-new. */
  readonly state?: DeviceTwinState;
  readonly pending?: readonly DeviceCommand[];
}

export const deviceInputSignal = defineSignal<[DeviceInput]>('deviceInput');
export const deviceStateQuery = defineQuery<DeviceTwinState>('deviceState');

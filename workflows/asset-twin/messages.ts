import { defineSignal } from '@temporalio/workflow';
import type { ConnectivityStatus, LifecycleState } from '../../twins/device';

/** Public message definitions of the asset twin (`asset:<tenant>:<assetId>`). */
export const ASSET_TWIN_WORKFLOW = 'assetTwin';

/** What a bound device tells its asset whenever its lifecycle or connectivity changes. */
export interface DeviceStatus {
  readonly deviceId: string;
  readonly lifecycle: LifecycleState;
  readonly connectivity: ConnectivityStatus;
  /** The device twin's version: the asset keeps only the newest status per device. */
  readonly version: number;
  readonly at: string;
}

export const deviceStatusSignal = defineSignal<[DeviceStatus]>('deviceStatus');

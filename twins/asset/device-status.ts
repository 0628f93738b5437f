import type { ConnectivityStatus, DeviceTwinState, LifecycleState } from '../device';

/** What a bound device tells its asset whenever its lifecycle or connectivity changes. */
export interface DeviceStatus {
  readonly deviceId: string;
  readonly lifecycle: LifecycleState;
  readonly connectivity: ConnectivityStatus;
  /**
   * True while a lost connection is inside its grace period: the device still counts as
   * online, but the asset is degraded. Optional: a sender that omits it means "not lost".
   */
  readonly connectionLost?: boolean;
  /** The device twin's version: the asset keeps only the newest status per device. */
  readonly version: number;
  readonly at: string;
}

/**
 * The status a device twin's state amounts to, as its asset sees it.
 *
 * @example deviceStatusOf(deviceState) // { deviceId: 'c-17', lifecycle: 'active', connectivity: 'online', … }
 */
export function deviceStatusOf(state: DeviceTwinState): DeviceStatus {
  return {
    deviceId: state.deviceId,
    lifecycle: state.lifecycle.state,
    connectivity: state.connectivity.status,
    connectionLost: state.connectivity.pendingOffline !== null,
    version: state.version,
    at: state.updatedAt ?? state.lifecycle.at,
  };
}

import { CLOSED_STATES } from '../device';
import type { AssetHealth, AssetTwinState } from './state';

/**
 * The asset's health, from the status of the device bound to it now. The rule, first match:
 *
 * | situation                                                   | health   |
 * |-------------------------------------------------------------|----------|
 * | the asset is not created yet                                | unknown  |
 * | no device is bound                                          | down     |
 * | the bound device has not reported a status yet              | unknown  |
 * | the device is replaced, retired or inactive, or offline     | down     |
 * | the device never connected (connectivity unknown)           | unknown  |
 * | the device is in maintenance, or its connection is lost     | degraded |
 * |   (inside the offline grace period)                         |          |
 * | the device is active and online                             | ok       |
 *
 * Offline wins over maintenance: a device in maintenance that is offline does nothing for
 * the asset either.
 *
 * @example assetHealth({ version: 3, device: null, deviceStatus: {} }) // 'down'
 */
export function assetHealth(
  state: Pick<AssetTwinState, 'version' | 'device' | 'deviceStatus'>,
): AssetHealth {
  if (state.version === 0) return 'unknown';
  if (!state.device) return 'down';
  const status = state.deviceStatus[state.device.deviceId];
  if (!status) return 'unknown';
  const { lifecycle, connectivity } = status;
  if (CLOSED_STATES.has(lifecycle) || lifecycle === 'inactive' || connectivity === 'offline')
    return 'down';
  if (connectivity === 'unknown') return 'unknown';
  if (lifecycle === 'maintenance' || status.connectionLost) return 'degraded';
  return lifecycle === 'active' ? 'ok' : 'unknown';
}

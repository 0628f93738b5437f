import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Database } from '../../db/client';
import { projectAssetTwin } from '../../db/asset-projection';
import {
  deviceStatusOf,
  type AssetEvent,
  type AssetTwinState,
  type DeviceStatus,
} from '../../twins/asset';
import { reject, type Rejection } from '../../twins/errors';
import { findDeviceTwin } from '../../db/device-projection';
import { deviceTwinUpdater } from '../device-twin/client';
import { bindAssetUpdate, unbindAssetUpdate } from '../device-twin/messages';

export interface DeviceBindingRequest {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly assetId: string;
  readonly siteId: string | null;
  readonly customerId: string | null;
}

/**
 * Activities of the asset twin: its projection, and the device side of a binding. A device
 * twin's refusal is an answer, not a failure: it comes back as a `Rejection` with the device
 * twin's code, which the asset twin passes on unchanged. Only a twin that cannot be reached
 * makes the activity fail (and retry).
 */
export function createAssetActivities(database: Database, temporal?: Client) {
  const deviceTwin = (tenantId: string, deviceId: string) => {
    if (!temporal) {
      throw ApplicationFailure.nonRetryable(
        'this worker was started without a Temporal client; pass one to createTwinActivities',
        'worker:config.temporal-client-missing',
      );
    }
    return deviceTwinUpdater(temporal, database, { tenantId, deviceId });
  };

  return {
    async projectAssetTwin(before: AssetTwinState, events: AssetEvent[]): Promise<void> {
      await projectAssetTwin(database, before, events);
    },

    /** Binds on the device side (idempotent for the same asset) and returns its status. */
    async bindDeviceToAsset(request: DeviceBindingRequest): Promise<DeviceStatus | Rejection> {
      const { tenantId, deviceId, assetId, siteId, customerId } = request;
      const handle = deviceTwin(tenantId, deviceId);
      try {
        await handle.executeUpdate(bindAssetUpdate, { args: [{ assetId, siteId, customerId }] });
        const record = await findDeviceTwin(database, { tenantId, deviceId });
        if (!record) return refusal(new WorkflowNotFoundError('', deviceId, undefined), deviceId);
        return deviceStatusOf(record);
      } catch (error) {
        return refusal(error, deviceId);
      }
    },

    /** Unbinds on the device side; a device twin that does not run is not bound anywhere. */
    async unbindDeviceFromAsset(
      request: Pick<DeviceBindingRequest, 'tenantId' | 'deviceId' | 'assetId'>,
    ): Promise<Rejection | null> {
      const handle = deviceTwin(request.tenantId, request.deviceId);
      try {
        await handle.executeUpdate(unbindAssetUpdate, { args: [{ assetId: request.assetId }] });
        return null;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return null;
        return refusal(error, request.deviceId);
      }
    },
  };
}

/** A device twin's refusal as a rejection with its code; anything else is thrown and retried. */
function refusal(error: unknown, deviceId: string): Rejection {
  if (error instanceof WorkflowNotFoundError)
    return reject('twin:device.not-found', `device ${deviceId} does not exist; register it first`);
  if (
    error instanceof WorkflowUpdateFailedError &&
    error.cause instanceof ApplicationFailure &&
    error.cause.type
  ) {
    return reject(error.cause.type, error.cause.message);
  }
  throw error;
}

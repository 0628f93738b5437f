import type { Client } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { initialDeviceState, type DeviceCommand } from '../../twins/device';
import { deviceWorkflowId, type DeviceKey } from '../../twins/ids';
import { TWIN_TASK_QUEUE } from '../task-queues';
import { DEVICE_TWIN_WORKFLOW, deviceInputSignal, type DeviceTwinArgs } from './messages';
import { deviceSearchAttributes } from './search-attributes';

/**
 * Delivers commands to a device twin, starting the twin if it does not run yet. Resolves once
 * Temporal has durably accepted the signal: the point after which a device may be acked.
 */
export async function sendToDeviceTwin(
  client: Client,
  key: DeviceKey,
  commands: readonly DeviceCommand[],
  taskQueue = TWIN_TASK_QUEUE,
): Promise<void> {
  const args: DeviceTwinArgs = { tenantId: key.tenantId, deviceId: key.deviceId };
  const initial = deviceSearchAttributes(initialDeviceState(key)).filter((p) => p.value !== null);
  await client.workflow.signalWithStart(DEVICE_TWIN_WORKFLOW, {
    workflowId: deviceWorkflowId(key),
    taskQueue,
    args: [args],
    signal: deviceInputSignal,
    signalArgs: [{ commands }],
    typedSearchAttributes: initial as unknown as TypedSearchAttributes,
    staticSummary: `Device twin ${key.deviceId} of tenant ${key.tenantId}`,
  });
}

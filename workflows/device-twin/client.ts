import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import {
  type ActivationWatch,
  DEFAULT_DEVICE_SETTINGS,
  initialDeviceState,
  type DeviceTwinSettings,
} from '../../twins/device';
import { deviceWorkflowId, type DeviceKey } from '../../twins/ids';
import { TWIN_TASK_QUEUE } from '../task-queues';
import {
  DEVICE_TWIN_WORKFLOW,
  deviceInputSignal,
  registerUpdate,
  type DeviceInput,
  type DeviceTwinArgs,
} from './messages';
import { deviceSearchAttributes } from './search-attributes';

export interface SendOptions {
  taskQueue?: string;
  /** Used only when this signal starts the twin. */
  settings?: DeviceTwinSettings;
}

/**
 * Delivers a batch of commands to a device twin, starting the twin if it does not run yet.
 * Resolves once Temporal has durably accepted the signal: the point after which a device may
 * be acked.
 */
function startOptions(key: DeviceKey, options: SendOptions) {
  const args: DeviceTwinArgs = {
    tenantId: key.tenantId,
    deviceId: key.deviceId,
    settings: options.settings ?? DEFAULT_DEVICE_SETTINGS,
  };
  const initial = deviceSearchAttributes(initialDeviceState(key)).filter((p) => p.value !== null);
  return {
    workflowId: deviceWorkflowId(key),
    taskQueue: options.taskQueue ?? TWIN_TASK_QUEUE,
    args: [args] as [DeviceTwinArgs],
    typedSearchAttributes: initial as unknown as TypedSearchAttributes,
    staticSummary: `Device twin ${key.deviceId} of tenant ${key.tenantId}`,
  };
}

/**
 * Registers a device, starting its twin if needed, and resolves once the registration is
 * projected: a caller can read the device right after.
 */
export async function registerDeviceTwin(
  client: Client,
  key: DeviceKey,
  request: { actor: string; model?: string; activation?: ActivationWatch },
  options: SendOptions = {},
): Promise<{ version: number }> {
  const startWorkflowOperation = new WithStartWorkflowOperation(DEVICE_TWIN_WORKFLOW, {
    ...startOptions(key, options),
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return client.workflow.executeUpdateWithStart(registerUpdate, {
    args: [request],
    startWorkflowOperation,
  });
}

export async function sendToDeviceTwin(
  client: Client,
  key: DeviceKey,
  input: DeviceInput,
  options: SendOptions = {},
): Promise<void> {
  const args: DeviceTwinArgs = {
    tenantId: key.tenantId,
    deviceId: key.deviceId,
    settings: options.settings ?? DEFAULT_DEVICE_SETTINGS,
  };
  const initial = deviceSearchAttributes(initialDeviceState(key)).filter((p) => p.value !== null);
  await client.workflow.signalWithStart(DEVICE_TWIN_WORKFLOW, {
    workflowId: deviceWorkflowId(key),
    taskQueue: options.taskQueue ?? TWIN_TASK_QUEUE,
    args: [args],
    signal: deviceInputSignal,
    signalArgs: [input],
    typedSearchAttributes: initial as unknown as TypedSearchAttributes,
    staticSummary: `Device twin ${key.deviceId} of tenant ${key.tenantId}`,
  });
}

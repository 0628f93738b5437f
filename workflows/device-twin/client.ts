import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { TypedSearchAttributes, UpdateDefinition } from '@temporalio/common';
import type { Database } from '../../db/client';
import { deviceRecordExists } from '../../db/device-projection';
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

/**
 * Runs an update on a device twin, starting the twin from its record when it does not run
 * (update-with-start, `USE_EXISTING`): a device registered in a batch, or whose twin has not
 * been needed yet, has a record and no workflow (docs/architecture.md, "Starts lazily"). The
 * record is checked first, so a device that does not exist starts nothing and fails like a
 * twin that never ran (`WorkflowNotFoundError`: callers answer `twin:device.not-found`).
 * Every API mutation and activity that updates a device twin goes through here.
 */
export async function updateDeviceTwin<Ret, Args extends [unknown, ...unknown[]]>(
  client: Client,
  database: Database,
  key: DeviceKey,
  update: UpdateDefinition<Ret, Args>,
  args: Args,
  options: SendOptions = {},
): Promise<Ret> {
  const workflowId = deviceWorkflowId(key);
  if (!(await deviceRecordExists(database, key)))
    throw new WorkflowNotFoundError(`device ${key.deviceId} does not exist`, workflowId, undefined);
  const startWorkflowOperation = new WithStartWorkflowOperation(DEVICE_TWIN_WORKFLOW, {
    ...startOptions(key, options),
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return client.workflow.executeUpdateWithStart(update, { args, startWorkflowOperation });
}

/** A device twin to update lazily: `executeUpdate` as on a workflow handle, through `updateDeviceTwin`. */
export interface DeviceTwinUpdater {
  executeUpdate<Ret, Args extends [unknown, ...unknown[]]>(
    update: UpdateDefinition<Ret, Args>,
    options: { args: Args },
  ): Promise<Ret>;
}

export const deviceTwinUpdater = (
  client: Client,
  database: Database,
  key: DeviceKey,
  options: SendOptions = {},
): DeviceTwinUpdater => ({
  executeUpdate: (update, { args }) =>
    updateDeviceTwin(client, database, key, update, args, options),
});

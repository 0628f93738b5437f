import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { TWIN_TASK_QUEUE } from '../task-queues';
import {
  PROVISION_DEVICE_WORKFLOW,
  provisioningStateQuery,
  provisioningWorkflowId,
  type ProvisionArgs,
  type ProvisioningState,
} from './messages';

/**
 * Starts the provisioning of a serial unless one was started before (running or finished):
 * provisioning is idempotent by serial. `created` tells whether this call started it — only
 * then was the identity in `args` stored, so only then may its secret be shown.
 */
export async function startProvisioning(
  client: Client,
  args: ProvisionArgs,
  options: { taskQueue?: string } = {},
): Promise<{ workflowId: string; created: boolean }> {
  const workflowId = provisioningWorkflowId(args.tenantId, args.request.serial);
  try {
    await client.workflow.start(PROVISION_DEVICE_WORKFLOW, {
      workflowId,
      taskQueue: options.taskQueue ?? TWIN_TASK_QUEUE,
      args: [args],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `Provisioning of ${args.request.serial} in tenant ${args.tenantId}`,
    });
    return { workflowId, created: true };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError)
      return { workflowId, created: false };
    throw error;
  }
}

/**
 * The provisioning's state once it is past admission (or after `waitMs`, whatever it is then),
 * so a caller hears a refusing admission hook in the same call.
 */
export async function provisioningState(
  client: Client,
  workflowId: string,
  waitMs = 0,
): Promise<ProvisioningState> {
  const handle = client.workflow.getHandle(workflowId);
  const until = Date.now() + waitMs;
  for (;;) {
    const description = await handle.describe();
    const state =
      description.status.name === 'RUNNING'
        ? await handle.query(provisioningStateQuery)
        : ((await handle.result()) as ProvisioningState);
    if (state.status !== 'admitting' || Date.now() >= until) return state;
    await new Promise((r) => setTimeout(r, 100));
  }
}

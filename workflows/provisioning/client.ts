import { awaitState, startOnce } from '../client';
import { type Client } from '@temporalio/client';
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
  options: { taskQueue?: string; memo?: Record<string, unknown> } = {},
): Promise<{ workflowId: string; created: boolean }> {
  const workflowId = provisioningWorkflowId(args.tenantId, args.request.serial);
  return startOnce(client, PROVISION_DEVICE_WORKFLOW, {
    workflowId,
    taskQueue: options.taskQueue ?? TWIN_TASK_QUEUE,
    args: [args],
    ...(options.memo ? { memo: options.memo } : {}),
    staticSummary: `Provisioning of ${args.request.serial} in tenant ${args.tenantId}`,
  });
}

/** The state once past its first step (or after `waitMs`, whatever it is then). */
export function provisioningState(
  client: Client,
  workflowId: string,
  waitMs = 0,
): Promise<ProvisioningState> {
  return awaitState(
    client,
    workflowId,
    provisioningStateQuery,
    (s) => s.status !== 'admitting',
    waitMs,
  );
}

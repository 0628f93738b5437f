import { type Client } from '@temporalio/client';
import type { OperationConfig } from '../../twins/rollout/config';
import { isRollout } from '../../twins/rollout/plan';
import { startOnce } from '../client';
import { TWIN_TASK_QUEUE } from '../task-queues';
import {
  abortRolloutSignal,
  OTA_ROLLOUT_WORKFLOW,
  pauseRolloutSignal,
  resumeRolloutSignal,
  retryFailedSignal,
  bulkCommandWorkflowId,
  rolloutWorkflowId,
} from './messages';

/** Starts a rollout; false when one with this id was started before. */
export async function startRollout(
  client: Client,
  args: { tenantId: string; actor: string; config: OperationConfig },
  options: { taskQueue?: string } = {},
): Promise<{ workflowId: string; created: boolean }> {
  const workflowId = isRollout(args.config)
    ? rolloutWorkflowId(args.tenantId, args.config.id)
    : bulkCommandWorkflowId(args.tenantId, args.config.id);
  return startOnce(client, OTA_ROLLOUT_WORKFLOW, {
    workflowId,
    taskQueue: options.taskQueue ?? TWIN_TASK_QUEUE,
    args: [args],
    staticSummary: isRollout(args.config)
      ? `Rollout ${args.config.id} of firmware ${args.config.firmware.version} in tenant ${args.tenantId}`
      : `Bulk command ${args.config.id} (${args.config.command.name}) in tenant ${args.tenantId}`,
  });
}

export type RolloutControl = 'pause' | 'resume' | 'abort' | 'retry-failed';

/** Sends an operator's control to a running rollout or bulk command (by its workflow id). */
export async function controlRollout(
  client: Client,
  workflowId: string,
  control: RolloutControl,
  reason?: string,
): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  const why = reason ? { reason } : {};
  if (control === 'pause') await handle.signal(pauseRolloutSignal, why);
  else if (control === 'resume') await handle.signal(resumeRolloutSignal);
  else if (control === 'abort') await handle.signal(abortRolloutSignal, why);
  else await handle.signal(retryFailedSignal);
}

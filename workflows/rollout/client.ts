import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { RolloutConfig } from '../../twins/rollout/config';
import { TWIN_TASK_QUEUE } from '../task-queues';
import {
  abortRolloutSignal,
  OTA_ROLLOUT_WORKFLOW,
  pauseRolloutSignal,
  resumeRolloutSignal,
  retryFailedSignal,
  rolloutWorkflowId,
} from './messages';

/** Starts a rollout; false when one with this id was started before. */
export async function startRollout(
  client: Client,
  args: { tenantId: string; actor: string; config: RolloutConfig },
  options: { taskQueue?: string } = {},
): Promise<{ workflowId: string; created: boolean }> {
  const workflowId = rolloutWorkflowId(args.tenantId, args.config.id);
  try {
    await client.workflow.start(OTA_ROLLOUT_WORKFLOW, {
      workflowId,
      taskQueue: options.taskQueue ?? TWIN_TASK_QUEUE,
      args: [args],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `Rollout ${args.config.id} of firmware ${args.config.firmware.version} in tenant ${args.tenantId}`,
    });
    return { workflowId, created: true };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError)
      return { workflowId, created: false };
    throw error;
  }
}

export type RolloutControl = 'pause' | 'resume' | 'abort' | 'retry-failed';

/** Sends an operator's control to a running rollout. */
export async function controlRollout(
  client: Client,
  tenantId: string,
  rolloutId: string,
  control: RolloutControl,
  reason?: string,
): Promise<void> {
  const handle = client.workflow.getHandle(rolloutWorkflowId(tenantId, rolloutId));
  const why = reason ? { reason } : {};
  if (control === 'pause') await handle.signal(pauseRolloutSignal, why);
  else if (control === 'resume') await handle.signal(resumeRolloutSignal);
  else if (control === 'abort') await handle.signal(abortRolloutSignal, why);
  else await handle.signal(retryFailedSignal);
}

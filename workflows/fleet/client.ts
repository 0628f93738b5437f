import { awaitState, startOnce } from '../client';
import { type Client } from '@temporalio/client';
import { TWIN_TASK_QUEUE } from '../task-queues';
import {
  REPLACE_DEVICE_WORKFLOW,
  RETIRE_DEVICE_WORKFLOW,
  replacementStateQuery,
  replacementWorkflowId,
  retirementWorkflowId,
  type ReplaceArgs,
  type ReplacementState,
  type RetireArgs,
  type RetirementResult,
} from './messages';

/** Runs a retirement to its end (a repeated one runs again: every step is idempotent). */
export async function retire(
  client: Client,
  args: RetireArgs,
  options: { taskQueue?: string } = {},
): Promise<{ workflowId: string; result: RetirementResult }> {
  const workflowId = retirementWorkflowId(args.tenantId, args.deviceId);
  const result = await client.workflow.execute(RETIRE_DEVICE_WORKFLOW, {
    workflowId,
    taskQueue: options.taskQueue ?? TWIN_TASK_QUEUE,
    args: [args],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    staticSummary: `Retirement of ${args.deviceId} in tenant ${args.tenantId}`,
  });
  return { workflowId, result: result as RetirementResult };
}

/** Starts a device's replacement unless one was started before (`created` says which). */
export async function startReplacement(
  client: Client,
  args: ReplaceArgs,
  options: { taskQueue?: string } = {},
): Promise<{ workflowId: string; created: boolean }> {
  const workflowId = replacementWorkflowId(args.tenantId, args.deviceId);
  return startOnce(client, REPLACE_DEVICE_WORKFLOW, {
    workflowId,
    taskQueue: options.taskQueue ?? TWIN_TASK_QUEUE,
    args: [args],
    staticSummary: `Replacement of ${args.deviceId} by ${args.replacement.serial} in tenant ${args.tenantId}`,
  });
}

/** The state once past its first step (or after `waitMs`, whatever it is then). */
export function replacementState(
  client: Client,
  workflowId: string,
  waitMs = 0,
): Promise<ReplacementState> {
  return awaitState(
    client,
    workflowId,
    replacementStateQuery,
    (s) => s.status !== 'checking',
    waitMs,
  );
}

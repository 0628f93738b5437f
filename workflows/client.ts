import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';

/**
 * A workflow's state (its query while it runs, its result once it ended), polled until
 * `settled` says so or `waitMs` passed: a caller hears a quick refusal in the same call.
 */
export async function awaitState<S>(
  client: Client,
  workflowId: string,
  query: QueryDefinition<S>,
  settled: (state: S) => boolean,
  waitMs: number,
): Promise<S> {
  const handle = client.workflow.getHandle(workflowId);
  const until = Date.now() + waitMs;
  for (;;) {
    const description = await handle.describe();
    const state =
      description.status.name === 'RUNNING'
        ? await handle.query(query)
        : ((await handle.result()) as S);
    if (settled(state) || Date.now() >= until) return state;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts a workflow unless one with its id was ever started (running or ended): operations
 * idempotent by id. `created` tells whether this call started it.
 */
export async function startOnce(
  client: Client,
  workflowType: string,
  options: WorkflowStartOptions,
): Promise<{ workflowId: string; created: boolean }> {
  try {
    await client.workflow.start(workflowType, {
      ...options,
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return { workflowId: options.workflowId, created: true };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError)
      return { workflowId: options.workflowId, created: false };
    throw error;
  }
}

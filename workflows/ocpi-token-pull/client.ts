import type { Client } from '@temporalio/client';
import { TWIN_TASK_QUEUE } from '../task-queues';
import {
  OCPI_TOKEN_PULL_WORKFLOW,
  ocpiTokenPullWorkflowId,
  type OcpiTokenPullArgs,
} from './messages';

/** Starts the pull of a party's tokens (one at a time: a pull under way goes on). */
export async function startOcpiTokenPull(client: Client, args: OcpiTokenPullArgs): Promise<void> {
  await client.workflow.start(OCPI_TOKEN_PULL_WORKFLOW, {
    workflowId: ocpiTokenPullWorkflowId(args.tenantId, args.partyId),
    taskQueue: TWIN_TASK_QUEUE,
    args: [args],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `OCPI token pull from ${args.partyId} of tenant ${args.tenantId}`,
  });
}

import type { Client } from '@temporalio/client';
import { TWIN_TASK_QUEUE } from '../task-queues';
import { OCPI_COMMAND_WORKFLOW, ocpiCommandWorkflowId, type OcpiCommandArgs } from './messages';

/** Starts the workflow that answers an OCPI command asynchronously. */
export async function startOcpiCommandResult(client: Client, args: OcpiCommandArgs) {
  await client.workflow.start(OCPI_COMMAND_WORKFLOW, {
    workflowId: ocpiCommandWorkflowId(args.tenantId, args.commandId),
    taskQueue: TWIN_TASK_QUEUE,
    args: [args],
    staticSummary: `OCPI command result for ${args.partyId} (tenant ${args.tenantId})`,
  });
}

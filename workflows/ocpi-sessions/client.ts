import type { Client } from '@temporalio/client';
import { TWIN_TASK_QUEUE } from '../task-queues';
import {
  OCPI_SESSION_PUSH_WORKFLOW,
  ocpiSessionPushWorkflowId,
  wakeOcpiSessionPushSignal,
  type OcpiSessionPushArgs,
} from './messages';

/** Starts (or wakes) the push of Sessions and CDRs to a party that has just connected. */
export async function startOcpiSessionPush(
  client: Client,
  args: OcpiSessionPushArgs,
): Promise<void> {
  await client.workflow.signalWithStart(OCPI_SESSION_PUSH_WORKFLOW, {
    workflowId: ocpiSessionPushWorkflowId(args.tenantId, args.partyId),
    taskQueue: TWIN_TASK_QUEUE,
    args: [args],
    signal: wakeOcpiSessionPushSignal,
    signalArgs: [],
    staticSummary: `OCPI sessions and CDRs to ${args.partyId} of tenant ${args.tenantId}`,
  });
}

import type { Client } from '@temporalio/client';
import { TWIN_TASK_QUEUE } from '../task-queues';
import {
  OCPI_PUSH_WORKFLOW,
  ocpiPushWorkflowId,
  wakeOcpiPushSignal,
  type OcpiPushArgs,
} from './messages';

/** Starts (or wakes) the push to a party that has just connected. */
export async function startOcpiPush(client: Client, args: OcpiPushArgs): Promise<void> {
  await client.workflow.signalWithStart(OCPI_PUSH_WORKFLOW, {
    workflowId: ocpiPushWorkflowId(args.tenantId, args.partyId),
    taskQueue: TWIN_TASK_QUEUE,
    args: [args],
    signal: wakeOcpiPushSignal,
    signalArgs: [],
    staticSummary: `OCPI push to ${args.partyId} of tenant ${args.tenantId}`,
  });
}

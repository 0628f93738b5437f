import { type Client } from '@temporalio/client';
import { startOnce } from '../client';
import { TWIN_TASK_QUEUE } from '../task-queues';
import {
  BULK_PROVISION_WORKFLOW,
  bulkProvisionWorkflowId,
  type BulkProvisionArgs,
} from './messages';

/** Starts submitting a stored bulk's rows; `created` is false when it was started before. */
export function startBulkProvisioning(
  client: Client,
  args: BulkProvisionArgs,
  options: { taskQueue?: string } = {},
): Promise<{ workflowId: string; created: boolean }> {
  return startOnce(client, BULK_PROVISION_WORKFLOW, {
    workflowId: bulkProvisionWorkflowId(args.tenantId, args.bulkId),
    taskQueue: options.taskQueue ?? TWIN_TASK_QUEUE,
    args: [args],
    staticSummary: `Bulk provisioning ${args.bulkId} of ${args.total} devices in tenant ${args.tenantId}`,
  });
}

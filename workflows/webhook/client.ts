import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TWIN_TASK_QUEUE } from '../task-queues';
import {
  wakeWebhookSignal,
  WEBHOOK_DELIVERY_WORKFLOW,
  webhookWorkflowId,
  type WebhookDeliveryArgs,
} from './messages';

/**
 * Wakes a webhook's delivery workflow, starting it if it does not run (the cursor is in
 * PostgreSQL, so a fresh run goes on where the last one stopped). Every change to a webhook
 * calls this: a start that failed once is made good by the next change.
 */
export async function wakeWebhookDelivery(
  client: Client,
  args: WebhookDeliveryArgs,
  options: { taskQueue?: string } = {},
): Promise<void> {
  await client.workflow.signalWithStart(WEBHOOK_DELIVERY_WORKFLOW, {
    workflowId: webhookWorkflowId(args.tenantId, args.webhookId),
    taskQueue: options.taskQueue ?? TWIN_TASK_QUEUE,
    args: [args],
    signal: wakeWebhookSignal,
    signalArgs: [],
    staticSummary: `Partner webhook ${args.webhookId} of tenant ${args.tenantId}`,
  });
}

/** Wakes a running delivery workflow only (the worker's NOTIFY listener); gone is fine. */
export async function signalWebhookDelivery(
  client: Client,
  tenantId: string,
  webhookId: string,
): Promise<void> {
  try {
    await client.workflow
      .getHandle(webhookWorkflowId(tenantId, webhookId))
      .signal(wakeWebhookSignal);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}

/** Stops a removed webhook's deliveries at once, even mid-retry; an ended one is fine. */
export async function stopWebhookDelivery(
  client: Client,
  tenantId: string,
  webhookId: string,
): Promise<void> {
  try {
    await client.workflow
      .getHandle(webhookWorkflowId(tenantId, webhookId))
      .terminate('webhook removed');
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}

import {
  ActivityFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhook-activities';
import { wakeWebhookSignal, type DeliveryOutcome, type WebhookDeliveryArgs } from './messages';

const acts = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '30 seconds' },
});

/** The back-off between attempts at one event: 1 s, doubling, at most 10 minutes. */
const deliveryRetry = (maximumAttempts: number) => ({
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '10 minutes',
  maximumAttempts,
});

/**
 * A partner webhook (`webhook:<tenant>:<id>`): sends its tenant's twin changes one at a time in
 * outbox order — so per twin in version order — and moves the cursor only after a 2xx. An event
 * is retried with back-off (Temporal keeps the attempts across worker restarts); after the last
 * attempt it becomes a dead letter and delivery goes on. Idle, it sleeps until woken (new
 * events, a replay, a changed definition) or its idle check. Ends when the webhook is removed.
 */
export async function webhookDelivery(args: WebhookDeliveryArgs): Promise<void> {
  const { tenantId, webhookId } = args;
  let woken = false;
  setHandler(wakeWebhookSignal, () => void (woken = true));

  /** One event, with its attempts; a dead letter after the last. */
  const deliver = async (
    outboxId: number,
    expected: number,
    maxAttempts: number,
  ): Promise<DeliveryOutcome> => {
    const send = proxyActivities<WebhookActivities>({
      // Short (the request itself times out after 10 s): a worker that died mid-POST is
      // noticed after this, and the event is sent again by another.
      startToCloseTimeout: '15 seconds',
      retry: deliveryRetry(maxAttempts),
    });
    try {
      return await send.deliverWebhookEvent({ tenantId, webhookId, outboxId, expected });
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      const lastError = error.cause?.message ?? error.message;
      const dead = await acts.deadLetterWebhookEvent({
        tenantId,
        webhookId,
        outboxId,
        expected,
        attempts: maxAttempts,
        lastError,
      });
      return dead ? 'delivered' : 'moved';
    }
  };

  for (;;) {
    woken = false;
    const page = await acts.readWebhookPage({ tenantId, webhookId });
    if (page.status === 'removed') return;
    if (page.status === 'idle') {
      if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof webhookDelivery>(args);
      await condition(() => woken, args.idleCheckMs ?? 60_000);
      continue;
    }
    let expected = page.cursor;
    for (const id of page.ids) {
      const outcome = await deliver(id, expected, page.maxAttempts);
      if (outcome === 'removed') return;
      if (outcome !== 'delivered') break;
      expected = id;
    }
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof webhookDelivery>(args);
  }
}

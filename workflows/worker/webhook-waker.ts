import type { Client } from '@temporalio/client';
import type { Database } from '../../db/client';
import { claimWaitingWebhooks } from '../../db/webhook-delivery';
import { listenTo } from '../../db/notifications';
import { signalWebhookDelivery } from '../webhook/client';

export interface WebhookWaker {
  stop(): Promise<void>;
}

/**
 * Wakes idle webhook deliveries when their tenant commits twin changes. Each commit NOTIFYs
 * with its tenant; the waker claims that tenant's waiting webhooks (each claimed by one worker
 * only) and signals their workflows. A busy webhook is not waiting, so a burst of commits costs
 * no signals. A (re)connected LISTEN wakes every waiting webhook, for what it may have missed;
 * the workflows' idle check covers the rest.
 */
export async function startWebhookWaker(
  database: Database,
  client: Client,
  onError: (error: unknown) => void,
): Promise<WebhookWaker> {
  let pending = Promise.resolve();
  const wake = (tenantId: string | null) => {
    pending = pending
      .then(async () => {
        const claimed = await claimWaitingWebhooks(database, tenantId);
        await Promise.all(
          claimed.map((w) => signalWebhookDelivery(client, w.tenantId, w.webhookId)),
        );
      })
      .catch(onError);
  };
  const listener = await listenTo(
    database,
    'outbox',
    (tenantId) => wake(tenantId),
    () => wake(null),
  );
  return {
    async stop() {
      await listener.unlisten();
      await pending;
    },
  };
}

import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { CloudEvent, HTTP } from 'cloudevents';
import type { Database } from '../../db/client';
import {
  advanceWebhookCursor,
  deadLetterWebhookEvent,
  readTenantOutboxEntry,
  readWebhookPage,
  webhookTarget,
} from '../../db/webhook-delivery';
import type { Egress } from '../../outbound/egress';
import { postSigned } from '../../outbound/signed-post';
import { twinChangeCloudEvent } from '../../twins/webhooks';
import type { DeliveryOutcome } from '../webhook/messages';

/** A partner that has not answered by then failed this attempt. */
const REQUEST_TIMEOUT_MS = 10_000;

export const WEBHOOK_DELIVERY_FAILED = 'webhook:delivery.failed';

interface EventRef {
  tenantId: string;
  webhookId: string;
  outboxId: number;
  /** The cursor the workflow saw: the event is sent only while the cursor is still there. */
  expected: number;
}

/**
 * A failure's text without the receiver's URL or host: it lands in Temporal's history and in
 * dead letters that `viewer` and `partner` read, and a URL may carry a token in its query.
 */
export function withoutUrl(text: string, url: string): string {
  const { host, hostname, href } = new URL(url);
  return [href, url, host, hostname]
    .filter(Boolean)
    .reduce((t, part) => t.split(part).join('[receiver]'), text);
}

/**
 * One signed POST of one event: a CloudEvent in structured JSON, signed as Standard Webhooks
 * sign (`webhook-id`, `webhook-timestamp`, `webhook-signature`), so partners verify it with
 * the spec's libraries in their own language.
 */
async function post(egress: Egress, url: string, secret: string, cloudEvent: CloudEvent<unknown>) {
  const { headers, body } = HTTP.structured(cloudEvent);
  const { 'content-type': contentType } = headers as Record<string, string>;
  const response = await postSigned(egress, {
    url,
    body: String(body),
    signing: { scheme: 'standard-webhooks', secret, id: cloudEvent.id },
    contentType: contentType!,
    timeoutMs: REQUEST_TIMEOUT_MS,
    headers: { 'user-agent': 'Doppel-Webhooks/1' },
  });
  await response.body?.cancel();
  return response.status;
}

/** Activities of the webhook delivery workflow. */
export function createWebhookActivities(database: Database, egress: Egress) {
  return {
    readWebhookPage: (a: { tenantId: string; webhookId: string }) =>
      readWebhookPage(database, a.tenantId, a.webhookId),

    /** Sends one event; throws on anything but a 2xx (the workflow's retry policy backs off). */
    async deliverWebhookEvent(a: EventRef): Promise<DeliveryOutcome> {
      const target = await webhookTarget(database, a.tenantId, a.webhookId);
      if (!target) return 'removed';
      if (!target.enabled) return 'disabled';
      if (target.cursor !== a.expected) return 'moved';
      const change = await readTenantOutboxEntry(database, a.tenantId, a.outboxId);
      // Cannot happen (outbox rows are never deleted); skipping beats retrying forever.
      if (!change) return (await advance(a)) ? 'delivered' : 'moved';
      const cloudEvent = new CloudEvent<unknown>({ ...twinChangeCloudEvent(change) }, true);
      let status: number;
      try {
        status = await post(egress, target.url, target.secret, cloudEvent);
      } catch (error) {
        const reason = error instanceof Error ? (error.cause ?? error) : error;
        throw ApplicationFailure.retryable(
          `POST to webhook ${a.webhookId} failed (attempt ${Context.current().info.attempt}): ${withoutUrl(String(reason), target.url)}`,
          WEBHOOK_DELIVERY_FAILED,
        );
      }
      if (status < 200 || status > 299)
        throw ApplicationFailure.retryable(
          `POST to webhook ${a.webhookId} answered HTTP ${status} (attempt ${Context.current().info.attempt})`,
          WEBHOOK_DELIVERY_FAILED,
        );
      return (await advance(a)) ? 'delivered' : 'moved';
    },

    deadLetterWebhookEvent: (a: EventRef & { attempts: number; lastError: string }) =>
      deadLetterWebhookEvent(database, a),
  };

  function advance(a: EventRef) {
    return advanceWebhookCursor(database, a.tenantId, a.webhookId, a.expected, a.outboxId);
  }
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;

import { defineSignal } from '@temporalio/workflow';

export const WEBHOOK_DELIVERY_WORKFLOW = 'webhookDelivery';

/** @example webhookWorkflowId('acme', 'erp') === 'webhook:acme:erp' */
export const webhookWorkflowId = (tenantId: string, webhookId: string) =>
  `webhook:${tenantId}:${webhookId}`;

export interface WebhookDeliveryArgs {
  readonly tenantId: string;
  readonly webhookId: string;
  /**
   * An idle webhook looks for events this often even without a wake-up (default 60 s): the
   * safety net for a NOTIFY lost while no worker listened.
   */
  readonly idleCheckMs?: number;
}

/** New events, a replay or a changed definition: read the outbox again. */
export const wakeWebhookSignal = defineSignal('wakeWebhook');

/** How an attempt at one event ended, short of an HTTP failure (those throw and are retried). */
export type DeliveryOutcome =
  | 'delivered'
  /** The cursor was moved (a replay): read on from where it is now. */
  | 'moved'
  /** Disabled meanwhile: stop sending until enabled. */
  | 'disabled'
  | 'removed';

export {
  parseWebhook,
  webhookFilterSchema,
  webhookSchema,
  webhookTakes,
  WEBHOOK_INVALID,
  WEBHOOK_URL_INVALID,
  type FilteredEvent,
  type Webhook,
  type WebhookFilter,
} from './webhook';
export { twinChangeCloudEvent, type TwinChange, type TwinChangeCloudEvent } from './cloud-event';

import { z } from 'zod';
import { reject, type Rejection } from '../errors';
import { ID_PATTERN } from '../ids';

export const WEBHOOK_INVALID = 'webhook:invalid';
export const WEBHOOK_URL_INVALID = 'webhook:url.invalid';

const id = z.string().regex(ID_PATTERN, 'a slug: letters, digits, . _ - (at most 64)');

/**
 * Which twin changes a partner webhook receives: every change of the tenant unless narrowed.
 * Devices and assets listed together widen each other (events of these devices or these assets).
 */
export const webhookFilterSchema = z
  .object({
    /** Only these event kinds (`connected`, `lifecycle-changed`, …); left out = every kind. */
    kinds: z
      .array(z.string().regex(/^[a-z][a-z0-9-]{0,63}$/))
      .min(1)
      .max(100)
      .optional(),
    /** Only these devices' events; with assetIds also left out, every device and asset. */
    deviceIds: z.array(id).min(1).max(10_000).optional(),
    /** Only these assets' events. */
    assetIds: z.array(id).min(1).max(10_000).optional(),
  })
  .strict();

export type WebhookFilter = z.infer<typeof webhookFilterSchema>;

/** A partner webhook as configured (its secret and delivery position are kept apart). */
export const webhookSchema = z
  .object({
    id,
    url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }),
    enabled: z.boolean().default(true),
    filter: webhookFilterSchema.default({}),
    /**
     * Attempts per event before it goes to the dead letters (1–50, default 10). The back-off
     * doubles from 1 s up to 10 min, so 10 attempts wait about 8.5 minutes in all.
     */
    maxAttempts: z.number().int().min(1).max(50).default(10),
  })
  .strict();

export type Webhook = z.infer<typeof webhookSchema>;

/**
 * Reads a webhook definition, listing every problem instead of throwing. A bad URL alone gets
 * its own code, so a client can point at the field.
 *
 * @example parseWebhook({ id: 'erp', url: 'ftp://x' }) // rejection 'webhook:url.invalid'
 */
export function parseWebhook(json: unknown): Webhook | Rejection {
  const result = webhookSchema.safeParse(json);
  if (result.success) return result.data;
  const onlyUrl = result.error.issues.every((i) => i.path[0] === 'url');
  return reject(
    onlyUrl ? WEBHOOK_URL_INVALID : WEBHOOK_INVALID,
    `invalid webhook:\n${z.prettifyError(result.error)}`,
  );
}

/** The part of an outbox event a filter looks at. */
export interface FilteredEvent {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly kind: string;
}

/** Whether a webhook with this filter receives the event. */
export function webhookTakes(filter: WebhookFilter, event: FilteredEvent): boolean {
  if (filter.kinds && !filter.kinds.includes(event.kind)) return false;
  if (!filter.deviceIds && !filter.assetIds) return true;
  const ids = event.aggregateType === 'device' ? filter.deviceIds : filter.assetIds;
  return ids?.includes(event.aggregateId) ?? false;
}

import {
  bigint,
  boolean,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { WebhookFilter } from '../../twins/webhooks';
import { tenantColumn, timestamps } from './columns';

/**
 * Partner webhooks: twin changes (the outbox) delivered to a partner's URL, CloudEvents JSON
 * signed with `secret` (Standard Webhooks). `cursor` is the last outbox id handled — delivered,
 * dead-lettered or filtered out — and moves only forward from the delivery workflow, or to
 * wherever a replay puts it.
 */
export const webhooks = pgTable(
  'webhooks',
  {
    tenantId: tenantColumn(),
    webhookId: text().notNull(),
    url: text().notNull(),
    /**
     * The signing key (`whsec_…`). Kept readable, not hashed: the worker signs with it. Never
     * read back through the API; shown once when created or rotated.
     */
    secret: text().notNull(),
    filter: jsonb().$type<WebhookFilter>().notNull(),
    enabled: boolean().notNull().default(true),
    maxAttempts: integer().notNull(),
    cursor: bigint({ mode: 'number' }).notNull(),
    /** Set by the delivery workflow when it found nothing to send: the next NOTIFY wakes it. */
    waiting: boolean().notNull().default(false),
    version: bigint({ mode: 'number' }).notNull().default(1),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.webhookId] })],
);

/** Events a webhook gave up on after its last attempt; delivery went on with the next. */
export const webhookDeadLetters = pgTable(
  'webhook_dead_letters',
  {
    tenantId: tenantColumn(),
    webhookId: text().notNull(),
    outboxId: bigint({ mode: 'number' }).notNull(),
    attempts: integer().notNull(),
    lastError: text().notNull(),
    deadAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.webhookId, t.outboxId] })],
);

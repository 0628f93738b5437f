import {
  bigint,
  bigserial,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { tenantColumn } from './columns';

/**
 * Every change a twin makes, written in the same transaction as its projection. Feeds
 * subscriptions, webhooks and the fan-out between API processes; `id` is the cursor.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    tenantId: tenantColumn(),
    aggregateType: text().notNull(),
    aggregateId: text().notNull(),
    version: bigint({ mode: 'number' }).notNull(),
    kind: text().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    occurredAt: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
    createdAt: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    /** W3C trace context of the message or activity that made the change (only when tracing is on). */
    traceparent: text(),
  },
  (t) => [
    uniqueIndex().on(t.aggregateType, t.tenantId, t.aggregateId, t.version),
    index().on(t.tenantId, t.id),
  ],
);

/** The PostgreSQL NOTIFY channel that wakes outbox readers after a commit. */
export const OUTBOX_CHANNEL = 'doppel_outbox';

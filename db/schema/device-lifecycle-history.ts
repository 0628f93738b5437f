import { bigint, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { LifecycleEffect } from '../../twins/device';
import { tenantColumn } from './columns';

/** Every lifecycle transition of every device: who, when, why, and what it set in motion. Append-only. */
export const deviceLifecycleHistory = pgTable(
  'device_lifecycle_history',
  {
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    /** The twin version the transition produced: the idempotency key of the row. */
    version: bigint({ mode: 'number' }).notNull(),
    fromState: text().notNull(),
    toState: text().notNull(),
    actor: text().notNull(),
    reason: text().notNull(),
    replacedBy: text(),
    effects: jsonb().$type<LifecycleEffect[]>().notNull(),
    at: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.deviceId, t.version] })],
);

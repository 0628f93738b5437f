import { bigint, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { tenantColumn } from './columns';

/**
 * Devices whose twin must look at its record (docs/architecture.md, "notices"): at most one row
 * per device, written in the transaction that made the change, deleted once Temporal accepted
 * the signal that tells the twin. Coalesced: later changes merge their reasons into the row.
 */
export const twinNotices = pgTable(
  'twin_notices',
  {
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    reasons: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** The record's version when the newest reason was added. */
    version: bigint({ mode: 'number' }).notNull(),
    /** When the oldest waiting reason arrived: notices drain oldest first. */
    since: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    /** A drainer sending this notice; another may take it after this time (the sender died). */
    claimedUntil: timestamp({ withTimezone: true, mode: 'string' }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.deviceId] }), index().on(t.since)],
);

/** One row per device connection: opened on connect, closed with its reason on disconnect. */
export const deviceSessions = pgTable(
  'device_sessions',
  {
    sessionId: text().primaryKey(),
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    gatewayNode: text().notNull(),
    protocol: text(),
    openedAt: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
    closedAt: timestamp({ withTimezone: true, mode: 'string' }),
    closeReason: text(),
  },
  (t) => [index().on(t.tenantId, t.deviceId, t.openedAt)],
);

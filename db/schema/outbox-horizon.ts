import { bigint, pgTable, smallint, timestamp } from 'drizzle-orm/pg-core';

/**
 * How far retention has pruned the outbox: one row, raised by every prune in the same
 * transaction as its delete. A cursor below `prunedThrough` may have lost rows after it, so a
 * subscription resuming from it is refused instead of silently skipping them.
 */
export const outboxHorizon = pgTable('outbox_horizon', {
  id: smallint().primaryKey().default(1),
  prunedThrough: bigint({ mode: 'number' }).notNull(),
  prunedAt: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
});

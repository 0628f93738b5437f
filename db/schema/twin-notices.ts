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
    /** W3C trace context of the newest message that raised it (only when tracing is on). */
    traceparent: text(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.deviceId] }), index().on(t.since)],
);

/**
 * The connection history (docs/operations.md, "Connectivity history"): one row per device
 * connection, opened on connect, closed with its reason on disconnect (or when a newer
 * connection of the device took its place), with the traffic the gateway counted on it. Closed
 * ones are kept 400 days (DEFAULT_CONNECTION_HISTORY_MS), pruned by the outbox retention
 * workflow's activity.
 */
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
    /** device-closed, server-closed, heartbeat-missed, gateway-lost, will, replaced-by-new-session. */
    closeReason: text(),
    /** Frames (or MQTT packets) and bytes each way, counted by the gateway; null when it could not say (gateway lost). */
    messagesIn: bigint({ mode: 'number' }),
    messagesOut: bigint({ mode: 'number' }),
    bytesIn: bigint({ mode: 'number' }),
    bytesOut: bigint({ mode: 'number' }),
  },
  (t) => [index().on(t.tenantId, t.deviceId, t.openedAt), index().on(t.openedAt)],
);

/**
 * Refused logins of known devices (wrong or revoked secret, refused claim): the count, and the
 * newest refusal's code and time. Written by the gateway coalesced (one row per device per
 * flush, whatever the number of attempts), so an attack costs no write per attempt.
 */
export const deviceLoginRefusals = pgTable(
  'device_login_refusals',
  {
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    count: bigint({ mode: 'number' }).notNull(),
    firstAt: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
    lastAt: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
    lastCode: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.deviceId] })],
);

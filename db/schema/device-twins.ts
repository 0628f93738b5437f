import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { DeviceTwinState } from '../../twins/device';
import { tenantColumn } from './columns';

/**
 * The device record (docs/architecture.md): the whole twin document and the columns the API
 * filters on. Written by the ingest path (connectivity, reported state) and by the twin
 * workflow (lifecycle, desired state, commands), each under a row lock with the pure twin code.
 */
export const deviceTwins = pgTable(
  'device_twins',
  {
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    lifecycle: text().notNull(),
    connectivity: text().notNull(),
    offlineReason: text(),
    connectivitySince: timestamp({ withTimezone: true, mode: 'string' }),
    model: text(),
    firmware: text(),
    /** Where the device is installed (its binding), for filters and the twin graph. */
    assetId: text(),
    siteId: text(),
    customerId: text(),
    tags: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    reported: jsonb()
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    /** The whole twin state as the workflow holds it. */
    state: jsonb().$type<DeviceTwinState>().notNull(),
    version: bigint({ mode: 'number' }).notNull(),
    updatedAt: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
    /** The gateway node and session holding the device's connection (the session table). */
    gatewayNode: text(),
    sessionId: text(),
    /** When a lost connection's grace period ends (the fleet sweeper's work list). */
    offlineDeadline: timestamp({ withTimezone: true, mode: 'string' }),
    /** The twin's last commit (its id and outcome): a retried commit returns it instead of deciding again. */
    lastCommit: jsonb().$type<{ id: string; prints: readonly string[]; outcome: unknown }>(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.deviceId] }),
    index().on(t.tenantId, t.lifecycle),
    index().on(t.tenantId, t.assetId),
    index().on(t.tenantId, t.siteId),
    // Search by id prefix (db/id-prefix.ts): byte-order ranges, whatever the collation.
    index('device_twins_id_prefix_index').on(t.tenantId, t.deviceId.op('text_pattern_ops')),
    index().using('gin', t.tags),
    index()
      .on(t.gatewayNode)
      .where(sql`${t.gatewayNode} is not null`),
    index()
      .on(t.offlineDeadline)
      .where(sql`${t.offlineDeadline} is not null`),
  ],
);

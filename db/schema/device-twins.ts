import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { DeviceTwinState } from '../../twins/device';
import { tenantColumn } from './columns';

/** The read model of device twins, kept current by the twin workflows (never edited directly). */
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
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.deviceId] }),
    index().on(t.tenantId, t.lifecycle),
    index().on(t.tenantId, t.assetId),
    index().on(t.tenantId, t.siteId),
    index().using('gin', t.tags),
  ],
);

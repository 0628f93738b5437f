import { jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenantColumn } from './columns';

/**
 * Raw telemetry samples, in canonical names and units. Written by the gateway in batches and
 * acknowledged after COMMIT; they never pass through workflow history (DESIGN.md, decision 2).
 */
export const telemetry = pgTable(
  'telemetry',
  {
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    /** Which part of the device measured it (an OCPP connector or EVSE, ''); samples of one time differ by channel. */
    channel: text().notNull().default(''),
    /** When the device measured it. */
    at: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
    values: jsonb().$type<Record<string, unknown>>().notNull(),
    receivedAt: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [
    // A sample resent after a lost ack is the same sample: one row per device, channel and
    // time. The index also serves "newest first" reads (scanned backwards).
    uniqueIndex('telemetry_sample_key').on(t.tenantId, t.deviceId, t.channel, t.at),
  ],
);

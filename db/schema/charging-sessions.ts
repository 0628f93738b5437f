import {
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';
import { tenantColumn, timestamps } from './columns';

/**
 * Charging sessions as stations report them (OCPP transactions). `id` is the OCPP 1.6
 * transactionId the gateway hands out: a database identity, so it survives restarts.
 * `stationKey` makes a retried start find its session again instead of opening a second one.
 */
export const chargingSessions = pgTable(
  'charging_sessions',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    /** `ocpp1.6` or `ocpp2.0.1`. */
    protocol: text().notNull(),
    /** 1.6: `start:<connectorId>:<timestamp>`; 2.0.1: `tx:<transactionId>`. */
    stationKey: text().notNull(),
    /** The transaction id the station uses: our `id` in 1.6, the station's own in 2.0.1. */
    transactionId: text(),
    evseId: integer(),
    connectorId: integer(),
    idTag: text(),
    startedAt: timestamp({ withTimezone: true, mode: 'string' }),
    stoppedAt: timestamp({ withTimezone: true, mode: 'string' }),
    meterStartWh: doublePrecision(),
    meterStopWh: doublePrecision(),
    stopReason: text(),
    ...timestamps,
  },
  (t) => [
    unique().on(t.tenantId, t.deviceId, t.stationKey),
    index().on(t.tenantId, t.deviceId, t.startedAt),
  ],
);

/**
 * OCPP 2.0.1 TransactionEvent messages, one row per (transactionId, seqNo): a retried event
 * finds its row and gets the answer stored with it.
 */
export const chargingSessionEvents = pgTable(
  'charging_session_events',
  {
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    transactionId: text().notNull(),
    seqNo: integer().notNull(),
    eventType: text().notNull(),
    triggerReason: text().notNull(),
    at: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    answer: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: timestamps.createdAt,
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.deviceId, t.transactionId, t.seqNo] })],
);

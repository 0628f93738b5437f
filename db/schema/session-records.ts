import {
  bigint,
  boolean,
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
import type { SignedMeterValue } from '../../twins/sessions';
import { tenantColumn } from './columns';

/**
 * Charging session records (CDRs), one per real session, written once when it ends and then
 * never changed: the same record is in the tenant's ledger (kind `session`, recordId = id).
 * `sessionKey` (`tx:<transactionId>`, or `invalid:<stop time>:<meterStop>` for 1.6's -1) is
 * what makes a replayed or duplicated stop find the record instead of writing a second one.
 */
export const sessionRecords = pgTable(
  'session_records',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    protocol: text().notNull(),
    sessionKey: text().notNull(),
    transactionId: text().notNull(),
    evseId: integer(),
    connectorId: integer(),
    idTag: text(),
    startedAt: timestamp({ withTimezone: true, mode: 'string' }),
    stoppedAt: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
    meterStartWh: doublePrecision(),
    meterStopWh: doublePrecision(),
    energyKWh: doublePrecision('energy_kwh'),
    stopReason: text(),
    flags: text().array().notNull(),
    counted: boolean().notNull(),
    offline: boolean().notNull(),
    /** Where the device was installed when the session started (its asset binding then). */
    siteId: text(),
    assetId: text(),
    customerId: text(),
    /** Signed meter values exactly as received, in arrival order. */
    signedMeterData: jsonb().$type<SignedMeterValue[]>().notNull(),
    /**
     * The worst verdict of the signed values' checks against the station's meter key (`VALID`,
     * `INVALID`, `NO_KEY`, `UNSUPPORTED`); null without checked signed values.
     */
    signatureVerdict: text(),
    recordedAt: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [
    unique().on(t.tenantId, t.deviceId, t.protocol, t.sessionKey),
    index().on(t.tenantId, t.stoppedAt),
    index().on(t.tenantId, t.siteId, t.stoppedAt),
    index().on(t.tenantId, t.assetId, t.stoppedAt),
    index().on(t.tenantId, t.deviceId, t.stoppedAt),
  ],
);

/**
 * What arrived about a session after its record was written (a duplicate or conflicting stop,
 * a 2.0.1 event after the end): counted beside the immutable record, one row per flag.
 */
export const sessionRecordNotes = pgTable(
  'session_record_notes',
  {
    tenantId: tenantColumn(),
    recordId: bigint({ mode: 'number' }).notNull(),
    code: text().notNull(),
    count: integer().notNull(),
    firstAt: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
    lastAt: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
    /** The last such message, as received (for the operator who investigates). */
    lastPayload: jsonb().$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.recordId, t.code] })],
);

/**
 * Signed meter values of a session that is still running (1.6 MeterValues with a
 * transactionId, 2.0.1 TransactionEvents), kept until the session's record takes them, each
 * with its check against the station's meter key. `digest` (SHA-256 of the value as received,
 * its check left out) makes a retried message store its values once.
 */
export const sessionSignedValues = pgTable(
  'session_signed_values',
  {
    /** Arrival order. */
    seq: bigint({ mode: 'number' }).generatedAlwaysAsIdentity(),
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    protocol: text().notNull(),
    sessionKey: text().notNull(),
    digest: text().notNull(),
    value: jsonb().$type<SignedMeterValue>().notNull(),
    receivedAt: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.deviceId, t.protocol, t.sessionKey, t.digest] })],
);

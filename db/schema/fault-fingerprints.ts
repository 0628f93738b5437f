import {
  bigint,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { tenantColumn } from './columns';

const at = () => timestamp({ withTimezone: true, mode: 'string' });

/**
 * Fault fingerprints (docs/alarms.md "Fault fingerprints"): device faults grouped by what they
 * are — error code, vendor code, firmware, model — Memfault-style issues that are open,
 * resolved or regressed. Written in the transaction that raises the alarm.
 */
export const faultFingerprints = pgTable(
  'fault_fingerprints',
  {
    tenantId: tenantColumn(),
    /** sha256 (hex, 32 digits) of the four parts below. */
    fingerprint: text().notNull(),
    /** The alarm type (an OCPP error code mapped to an alarm type is one). */
    errorCode: text().notNull(),
    vendorCode: text(),
    firmware: text(),
    model: text(),
    firstSeen: at().notNull(),
    lastSeen: at().notNull(),
    count: bigint({ mode: 'number' }).notNull(),
    devicesAffected: integer().notNull(),
    /** open | resolved | regressed */
    status: text().notNull(),
    resolvedAt: at(),
    resolvedBy: text(),
    /** The firmware the fix ships in: occurrences on the fingerprint's own (older) one are expected. */
    resolvedInFirmware: text(),
    regressedAt: at(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.fingerprint] }),
    index('fault_fingerprints_by_status').on(t.tenantId, t.status, t.lastSeen),
    index('fault_fingerprints_by_fault').on(t.tenantId, t.errorCode, t.model),
  ],
);

/** Which devices a fingerprint was seen on, when and how often (devices affected, health gates). */
export const faultFingerprintDevices = pgTable(
  'fault_fingerprint_devices',
  {
    tenantId: tenantColumn(),
    fingerprint: text().notNull(),
    deviceId: text().notNull(),
    firstSeen: at().notNull(),
    lastSeen: at().notNull(),
    count: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.fingerprint, t.deviceId] }),
    index('fault_fingerprint_devices_by_device').on(t.tenantId, t.deviceId, t.lastSeen),
  ],
);

/**
 * A rollout's health gate after one wave (docs/fleet-operations.md "Health-gated rollouts"):
 * baking until `bakeUntil`, then passed, failed (the rollout paused) or inconclusive, with the
 * figures of the updated and not-yet-updated devices as evidence.
 */
export const rolloutHealthChecks = pgTable(
  'rollout_health_checks',
  {
    tenantId: tenantColumn(),
    rolloutId: text().notNull(),
    wave: integer().notNull(),
    /** baking | passed | failed | inconclusive */
    status: text().notNull(),
    bakeFrom: at().notNull(),
    bakeUntil: at().notNull(),
    judgedAt: at(),
    reason: text(),
    evidence: jsonb().$type<Record<string, unknown>>(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.rolloutId, t.wave] })],
);

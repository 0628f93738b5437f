import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { ProvisionRequest } from '../../twins/provisioning/request';
import { tenantColumn, timestamps } from './columns';

/**
 * One row per provisioned serial: the audit trail of its provisioning (who asked, when, what
 * the admission hook decided, when the device claimed its identity and when activation was
 * verified), kept current by the provisioning workflow.
 */
export const deviceProvisioning = pgTable(
  'device_provisioning',
  {
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    workflowId: text().notNull(),
    status: text().notNull(),
    reason: text(),
    method: text().notNull(),
    request: jsonb().$type<Omit<ProvisionRequest, 'claimToken'>>().notNull(),
    requestedBy: text().notNull(),
    requestedAt: timestamp({ withTimezone: true }).notNull(),
    claimedAt: timestamp({ withTimezone: true }),
    activatedAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.deviceId] })],
);

/**
 * Claim tokens (hashed): a device presents its serial and the token on first connect and
 * receives its own credentials. Spent by the first successful claim (`consumedAt`), or by a
 * verified activation or retirement, whichever comes first; unusable after `expiresAt`.
 */
export const claimTokens = pgTable(
  'claim_tokens',
  {
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    tokenHash: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    lastClaimedAt: timestamp({ withTimezone: true }),
    consumedAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.deviceId] })],
);

/**
 * Failed claims per serial, whether the serial exists or not: an unknown serial is counted and
 * locked like a known one, so a lock-out tells nobody which serials exist. Past the limit the
 * serial's claims are refused until `lockedUntil`, the right token too (db/claim-attempts.ts).
 */
export const claimAttempts = pgTable(
  'claim_attempts',
  {
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    /** Failures since `firstFailedAt` (the window restarts once it has passed). */
    failures: integer().notNull(),
    firstFailedAt: timestamp({ withTimezone: true }).notNull(),
    lockedUntil: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  // updatedAt: stale rows (unknown serials tried once) are pruned by age.
  (t) => [primaryKey({ columns: [t.tenantId, t.deviceId] }), index().on(t.updatedAt)],
);

/**
 * A tenant's admission hook (like AWS IoT's pre-provisioning hook): every provisioning request
 * is POSTed to it, signed, and it may refuse or amend the request.
 */
export const admissionHooks = pgTable('admission_hooks', {
  tenantId: tenantColumn().primaryKey(),
  url: text().notNull(),
  /** HMAC key of the `x-doppel-signature` header; never read back through the API. */
  secret: text().notNull(),
  timeoutMs: integer().notNull().default(5000),
  ...timestamps,
});

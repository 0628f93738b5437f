import { bigserial, index, jsonb, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { tenantColumn } from './columns';

/**
 * API keys of partners and integrations. Only a SHA-256 of the secret part is stored (the
 * secret is 256 random bits, so a fast hash is enough); the whole key is shown once.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    /** The public part of the key (`dpk_<keyId>_<secret>`): finds the row without scanning. */
    keyId: text().primaryKey(),
    tenantId: tenantColumn(),
    name: text().notNull(),
    role: text().notNull(),
    secretHash: text().notNull(),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    revokedAt: timestamp({ withTimezone: true, mode: 'string' }),
    revokedBy: text(),
  },
  (t) => [index().on(t.tenantId, t.createdAt)],
);

/**
 * Who did what, and how it ended: one row per API mutation (refused ones too), and one per
 * change a twin records on its own behalf or an actor's (lifecycle, desired configuration,
 * commands, tags, registration, bindings). Appended, never updated (PostgreSQL refuses it),
 * and each row is in the tenant's ledger.
 */
export const auditEntries = pgTable(
  'audit_entries',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    tenantId: tenantColumn(),
    /** `user:<sub>` for a JWT, `key:<keyId>` for an API key. */
    actor: text().notNull(),
    role: text().notNull(),
    /** The mutation's field name, e.g. `transitionDevice`. */
    operation: text().notNull(),
    /** The mutation's arguments, secrets redacted. */
    input: jsonb().$type<Record<string, unknown>>().notNull(),
    /** `ok`, or the error code it was refused with. */
    outcome: text().notNull(),
    at: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    /** What it changed, e.g. `device:charger-7` (twin entries). */
    subject: text(),
    reason: text(),
    before: jsonb().$type<unknown>(),
    after: jsonb().$type<unknown>(),
    /** Where a twin entry comes from (`device:<id>:v<version>`): written once, however often projected. */
    sourceKey: text(),
  },
  (t) => [index().on(t.tenantId, t.id), unique().on(t.tenantId, t.sourceKey)],
);

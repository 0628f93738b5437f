import { bigint, index, pgTable, primaryKey, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { tenantColumn } from './columns';

/**
 * The tamper-evident record of a tenant (issue 8): session records and audit entries, each
 * kept as the exact bytes that were hashed, chained per tenant. `hash` is the SHA-256 of
 * `prevHash + "\n" + body` (hex, UTF-8), so one entry can be checked with `openssl dgst`.
 * Appended only: PostgreSQL refuses UPDATE, DELETE and TRUNCATE (migration 0017's triggers).
 */
export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    tenantId: tenantColumn(),
    /** 1, 2, 3, … per tenant, without gaps: a deleted row is a missing number. */
    seq: bigint({ mode: 'number' }).notNull(),
    /** `session` (a charging session record) or `audit` (an audit entry). */
    kind: text().notNull(),
    /** The record's own id within its kind: an entry per record, appended once. */
    recordId: text().notNull(),
    /** The record as canonical JSON (RFC 8785): the bytes the hash covers. */
    body: text().notNull(),
    prevHash: text().notNull(),
    hash: text().notNull(),
    appendedAt: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.seq] }),
    unique().on(t.tenantId, t.kind, t.recordId),
    index().on(t.tenantId, t.kind, t.seq),
  ],
);

/**
 * Signed checkpoints: a tenant's chain head at a moment, signed with the installation's
 * Ed25519 key. `statement` is exactly the signed text; `signature` is its base64.
 */
export const ledgerCheckpoints = pgTable(
  'ledger_checkpoints',
  {
    tenantId: tenantColumn(),
    seq: bigint({ mode: 'number' }).notNull(),
    headHash: text().notNull(),
    keyId: text().notNull(),
    statement: text().notNull(),
    signature: text().notNull(),
    signedAt: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.seq] })],
);

/**
 * The public keys checkpoints were signed with, by key id (SHA-256 of the DER, 16 hex).
 * Appended only, like the checkpoints they verify (migration 0024's triggers): a key swapped
 * under an id would make a re-signed ledger look like the installation's own.
 */
export const ledgerKeys = pgTable('ledger_keys', {
  keyId: text().primaryKey(),
  /** SubjectPublicKeyInfo PEM (Ed25519), as `openssl pkey -pubin` reads it. */
  publicKey: text().notNull(),
  firstUsedAt: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
});

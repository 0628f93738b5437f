import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, gte, isNull, lt, ne, sql as dsql } from 'drizzle-orm';
import { writeAudit, type AuditRow } from './audit-writer';
import type { Database } from './client';
import { apiKeys, auditEntries } from './schema';

/** What a verified API key grants. */
export interface ApiKeyGrant {
  readonly keyId: string;
  readonly tenantId: string;
  readonly role: string;
}

export interface ApiKeyRow {
  readonly keyId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly role: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

const KEY_PATTERN = /^dpk_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Creates an API key; the returned `key` is the only copy of its secret part. */
export async function createApiKey(
  database: Database,
  input: { tenantId: string; name: string; role: string; createdBy: string },
): Promise<{ key: string; row: ApiKeyRow }> {
  const keyId = randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16);
  const secret = randomBytes(32).toString('base64url');
  const [row] = await database.db
    .insert(apiKeys)
    .values({ ...input, keyId, secretHash: sha256(secret).toString('hex') })
    .returning();
  return { key: `dpk_${keyId}_${secret}`, row: toRow(row!) };
}

/** The grant of a presented key, or null when it is malformed, unknown, revoked or wrong. */
export async function verifyApiKey(database: Database, key: string): Promise<ApiKeyGrant | null> {
  const match = KEY_PATTERN.exec(key);
  if (!match) return null;
  const [, keyId, secret] = match;
  const [row] = await database.db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyId, keyId!), isNull(apiKeys.revokedAt)));
  if (!row) return null;
  const expected = Buffer.from(row.secretHash, 'hex');
  const presented = sha256(secret!);
  if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) return null;
  return { keyId: row.keyId, tenantId: row.tenantId, role: row.role };
}

/** Revokes a tenant's key at once; false when the tenant has no such live key. */
export async function revokeApiKey(
  database: Database,
  tenantId: string,
  keyId: string,
  revokedBy: string,
): Promise<ApiKeyRow | null> {
  const [row] = await database.db
    .update(apiKeys)
    .set({ revokedAt: dsql`now()`, revokedBy })
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.keyId, keyId), isNull(apiKeys.revokedAt)))
    .returning();
  return row ? toRow(row) : null;
}

export async function listApiKeys(database: Database, tenantId: string): Promise<ApiKeyRow[]> {
  const rows = await database.db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.tenantId, tenantId))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(toRow);
}

function toRow(r: typeof apiKeys.$inferSelect): ApiKeyRow {
  return {
    keyId: r.keyId,
    tenantId: r.tenantId,
    name: r.name,
    role: r.role,
    createdBy: r.createdBy,
    createdAt: new Date(r.createdAt).toISOString(),
    revokedAt: r.revokedAt ? new Date(r.revokedAt).toISOString() : null,
  };
}

export interface AuditFilter {
  readonly subject?: string | null;
  readonly operation?: string | null;
  readonly actor?: string | null;
  /** true: API mutations only; false: twins' changes only. */
  readonly api?: boolean | null;
  readonly from?: Date | null;
  readonly to?: Date | null;
}

/** An audit row as read back: what was written, with its id and time. */
export type AuditEntry = AuditRow & { readonly id: number; readonly at: string };

/** Records an API mutation in the audit trail and the tenant's ledger. */
export async function appendAudit(database: Database, entry: AuditRow): Promise<void> {
  await database.db.transaction((tx) => writeAudit(tx, [entry]));
}

/** A tenant's audit entries, newest first; `before` is the id of the last one already seen. */
export async function readAudit(
  database: Database,
  tenantId: string,
  page: { first: number; before: number | null },
  filter: AuditFilter = {},
): Promise<AuditEntry[]> {
  const t = auditEntries;
  const rows = await database.db
    .select()
    .from(auditEntries)
    .where(
      and(
        eq(t.tenantId, tenantId),
        page.before === null ? undefined : lt(t.id, page.before),
        filter.subject ? eq(t.subject, filter.subject) : undefined,
        filter.operation ? eq(t.operation, filter.operation) : undefined,
        filter.actor ? eq(t.actor, filter.actor) : undefined,
        filter.from ? gte(t.at, filter.from.toISOString()) : undefined,
        filter.to ? lt(t.at, filter.to.toISOString()) : undefined,
        filter.api === true
          ? ne(t.role, 'twin')
          : filter.api === false
            ? eq(t.role, 'twin')
            : undefined,
      ),
    )
    .orderBy(desc(auditEntries.id))
    .limit(page.first + 1);
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}

import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { and, desc, eq, sql as dsql } from 'drizzle-orm';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import { ledgerEntries } from './schema';

type Tx = PgTransaction<any, any, any>;

/** The previous hash of a tenant's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export type LedgerKind = 'session' | 'audit';

/** An entry's hash: SHA-256 over `prevHash`, a newline and the body, as UTF-8 (hex). */
export function entryHash(prevHash: string, body: string): string {
  return createHash('sha256').update(`${prevHash}\n${body}`, 'utf8').digest('hex');
}

/** A record as the ledger keeps it: canonical JSON (RFC 8785), the same bytes every time. */
export function canonicalBody(record: unknown): string {
  const body = canonicalize(record);
  if (body === undefined) throw new Error('a ledger record must be JSON');
  return body;
}

/**
 * Appends a record to its tenant's chain inside the caller's transaction, once per
 * (kind, recordId): a retried write finds the entry already there and changes nothing.
 * Serialised per tenant (advisory lock until the transaction ends), so sequence numbers
 * have no gaps and each entry links to the one before. Call it last in the transaction.
 */
export async function appendToLedger(
  tx: Tx,
  entry: { tenantId: string; kind: LedgerKind; recordId: string; record: object },
): Promise<{ seq: number; hash: string; appended: boolean }> {
  await tx.execute(dsql`select pg_advisory_xact_lock(hashtext(${`ledger:${entry.tenantId}`}))`);
  const [existing] = await tx
    .select({ seq: ledgerEntries.seq, hash: ledgerEntries.hash })
    .from(ledgerEntries)
    .where(
      and(
        eq(ledgerEntries.tenantId, entry.tenantId),
        eq(ledgerEntries.kind, entry.kind),
        eq(ledgerEntries.recordId, entry.recordId),
      ),
    );
  if (existing) return { ...existing, appended: false };
  const [head] = await tx
    .select({ seq: ledgerEntries.seq, hash: ledgerEntries.hash })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.tenantId, entry.tenantId))
    .orderBy(desc(ledgerEntries.seq))
    .limit(1);
  // The body names its own kind and id, so neither can be changed outside the hash.
  const body = canonicalBody({
    ...(entry.record as Record<string, unknown>),
    type: entry.kind,
    id: entry.recordId,
  });
  const prevHash = head?.hash ?? GENESIS_HASH;
  const seq = (head?.seq ?? 0) + 1;
  const hash = entryHash(prevHash, body);
  await tx.insert(ledgerEntries).values({
    tenantId: entry.tenantId,
    seq,
    kind: entry.kind,
    recordId: entry.recordId,
    body,
    prevHash,
    hash,
  });
  return { seq, hash, appended: true };
}

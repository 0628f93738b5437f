import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { and, desc, eq, inArray, sql as dsql } from 'drizzle-orm';
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

/** A record to append to its tenant's chain, once per (kind, recordId). */
export interface LedgerAppend {
  readonly tenantId: string;
  readonly kind: LedgerKind;
  readonly recordId: string;
  readonly record: object;
}

/**
 * Appends a record to its tenant's chain inside the caller's transaction, once per
 * (kind, recordId): a retried write finds the entry already there and changes nothing.
 * Serialised per tenant (advisory lock until the transaction ends), so sequence numbers
 * have no gaps and each entry links to the one before. Call it last in the transaction.
 */
export async function appendToLedger(
  tx: Tx,
  entry: LedgerAppend,
): Promise<{ seq: number; hash: string; appended: boolean }> {
  const [appended] = await appendManyToLedger(tx, [entry]);
  return appended!;
}

/**
 * Appends many records in their order, as `appendToLedger` one by one would, in a few
 * statements per tenant whatever their number (a bulk's audit entries): the tenant's lock,
 * the records already there, the chain's head, then every new entry chained in memory and
 * inserted at once. Tenants are locked in name order.
 * Returns each record's entry, in the order given. Call it last in the transaction.
 */
export async function appendManyToLedger(
  tx: Tx,
  entries: readonly LedgerAppend[],
): Promise<Array<{ seq: number; hash: string; appended: boolean }>> {
  const results = new Array<{ seq: number; hash: string; appended: boolean }>(entries.length);
  const tenants = [...new Set(entries.map((e) => e.tenantId))].sort();
  for (const tenantId of tenants) {
    const mine = entries.flatMap((e, i) => (e.tenantId === tenantId ? [{ e, i }] : []));
    await tx.execute(dsql`select pg_advisory_xact_lock(hashtext(${`ledger:${tenantId}`}))`);
    const existing = new Map<string, { seq: number; hash: string }>();
    for (const kind of new Set(mine.map(({ e }) => e.kind)))
      for (let i = 0; i < mine.length; i += CHUNK) {
        const ids = mine
          .slice(i, i + CHUNK)
          .flatMap(({ e }) => (e.kind === kind ? [e.recordId] : []));
        if (ids.length === 0) continue;
        const found = await tx
          .select({
            recordId: ledgerEntries.recordId,
            seq: ledgerEntries.seq,
            hash: ledgerEntries.hash,
          })
          .from(ledgerEntries)
          .where(
            and(
              eq(ledgerEntries.tenantId, tenantId),
              eq(ledgerEntries.kind, kind),
              inArray(ledgerEntries.recordId, ids),
            ),
          );
        for (const f of found) existing.set(`${kind}\u0000${f.recordId}`, f);
      }
    const [head] = await tx
      .select({ seq: ledgerEntries.seq, hash: ledgerEntries.hash })
      .from(ledgerEntries)
      .where(eq(ledgerEntries.tenantId, tenantId))
      .orderBy(desc(ledgerEntries.seq))
      .limit(1);
    let prevHash = head?.hash ?? GENESIS_HASH;
    let seq = head?.seq ?? 0;
    const rows: Array<typeof ledgerEntries.$inferInsert> = [];
    for (const { e, i } of mine) {
      const key = `${e.kind}\u0000${e.recordId}`;
      const there = existing.get(key);
      if (there) {
        results[i] = { ...there, appended: false };
        continue;
      }
      // The body names its own kind and id, so neither can be changed outside the hash.
      const body = canonicalBody({
        ...(e.record as Record<string, unknown>),
        type: e.kind,
        id: e.recordId,
      });
      const hash = entryHash(prevHash, body);
      seq += 1;
      rows.push({ tenantId, seq, kind: e.kind, recordId: e.recordId, body, prevHash, hash });
      // The same record twice in one call is appended once.
      existing.set(key, { seq, hash });
      results[i] = { seq, hash, appended: true };
      prevHash = hash;
    }
    for (let i = 0; i < rows.length; i += CHUNK)
      await tx.insert(ledgerEntries).values(rows.slice(i, i + CHUNK));
  }
  return results;
}

/** Rows per statement: well under PostgreSQL's 65,535 parameters. */
const CHUNK = 1_000;

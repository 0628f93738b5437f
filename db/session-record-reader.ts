import { and, asc, count, eq, gt, gte, inArray, lt, not, sql, sum, type SQL } from 'drizzle-orm';
import type { Database } from './client';
import { ledgerEntries, sessionRecordNotes, sessionRecords } from './schema';

export interface SessionRecordFilter {
  deviceId?: string | null;
  siteId?: string | null;
  assetId?: string | null;
  /** Stopped at or after. */
  from?: string | null;
  /** Stopped before. */
  to?: string | null;
  /** true: with a flag or a later note; false: neither. */
  flagged?: boolean | null;
}

export type SessionRecordRow = typeof sessionRecords.$inferSelect & {
  notes: Array<{ code: string; count: number; firstAt: string; lastAt: string }>;
  ledger: { seq: number; hash: string } | null;
};

const hasNote = sql`exists (select 1 from ${sessionRecordNotes} n
  where n.tenant_id = ${sessionRecords.tenantId} and n.record_id = ${sessionRecords.id})`;

function matching(tenantId: string, f: SessionRecordFilter): SQL | undefined {
  const flagged = sql`(cardinality(${sessionRecords.flags}) > 0 or ${hasNote})`;
  return and(
    eq(sessionRecords.tenantId, tenantId),
    f.deviceId ? eq(sessionRecords.deviceId, f.deviceId) : undefined,
    f.siteId ? eq(sessionRecords.siteId, f.siteId) : undefined,
    f.assetId ? eq(sessionRecords.assetId, f.assetId) : undefined,
    f.from ? gte(sessionRecords.stoppedAt, f.from) : undefined,
    f.to ? lt(sessionRecords.stoppedAt, f.to) : undefined,
    f.flagged === true ? flagged : f.flagged === false ? not(flagged) : undefined,
  );
}

/** A tenant's session records in the order they were written; `after` is the last id seen. */
export async function listSessionRecords(
  database: Database,
  tenantId: string,
  filter: SessionRecordFilter,
  page: { first: number; after: number | null },
): Promise<SessionRecordRow[]> {
  const rows = await database.db
    .select()
    .from(sessionRecords)
    .where(
      and(
        matching(tenantId, filter),
        page.after === null ? undefined : gt(sessionRecords.id, page.after),
      ),
    )
    .orderBy(asc(sessionRecords.id))
    .limit(page.first + 1);
  return withNotesAndLedger(database, tenantId, rows);
}

export async function getSessionRecord(
  database: Database,
  tenantId: string,
  id: number,
): Promise<SessionRecordRow | null> {
  const rows = await database.db
    .select()
    .from(sessionRecords)
    .where(and(eq(sessionRecords.tenantId, tenantId), eq(sessionRecords.id, id)));
  const [row] = await withNotesAndLedger(database, tenantId, rows);
  return row ?? null;
}

/** How many records match, and the energy of those that count (never the flagged ones). */
export async function sessionRecordTotals(
  database: Database,
  tenantId: string,
  filter: SessionRecordFilter,
): Promise<{ count: number; energyKWh: number }> {
  const [totals] = await database.db
    .select({
      count: count(),
      energyKWh: sum(sql`case when ${sessionRecords.counted} then ${sessionRecords.energyKWh} end`),
    })
    .from(sessionRecords)
    .where(matching(tenantId, filter));
  return { count: totals?.count ?? 0, energyKWh: Number(totals?.energyKWh ?? 0) };
}

async function withNotesAndLedger(
  database: Database,
  tenantId: string,
  rows: Array<typeof sessionRecords.$inferSelect>,
): Promise<SessionRecordRow[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const notes = await database.db
    .select()
    .from(sessionRecordNotes)
    .where(
      and(eq(sessionRecordNotes.tenantId, tenantId), inArray(sessionRecordNotes.recordId, ids)),
    )
    .orderBy(asc(sessionRecordNotes.code));
  const ledger = await database.db
    .select({ recordId: ledgerEntries.recordId, seq: ledgerEntries.seq, hash: ledgerEntries.hash })
    .from(ledgerEntries)
    .where(
      and(
        eq(ledgerEntries.tenantId, tenantId),
        eq(ledgerEntries.kind, 'session'),
        inArray(ledgerEntries.recordId, ids.map(String)),
      ),
    );
  return rows.map((row) => {
    const entry = ledger.find((l) => l.recordId === String(row.id));
    return {
      ...row,
      notes: notes
        .filter((n) => n.recordId === row.id)
        .map(({ code, count: n, firstAt, lastAt }) => ({ code, count: n, firstAt, lastAt })),
      ledger: entry ? { seq: entry.seq, hash: entry.hash } : null,
    };
  });
}

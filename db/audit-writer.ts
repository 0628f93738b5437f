import type { PgTransaction } from 'drizzle-orm/pg-core';
import type { TwinAuditEntry } from '../twins/audit/device-audit';
import { appendManyToLedger } from './ledger';
import { auditEntries } from './schema';

type Tx = PgTransaction<any, any, any>;

export interface AuditRow {
  readonly tenantId: string;
  readonly actor: string;
  readonly role: string;
  readonly operation: string;
  readonly input: Record<string, unknown>;
  readonly outcome: string;
  readonly at?: string;
  readonly subject?: string | null;
  readonly reason?: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly sourceKey?: string | null;
}

/**
 * Writes audit entries and chains each into the tenant's ledger, in the caller's
 * transaction, in a few statements however many there are (a bulk's): the entries, then
 * their ledger entries in the order of their ids. An entry whose `sourceKey` is already
 * there (a retried projection) is skipped.
 */
export async function writeAudit(tx: Tx, rows: readonly AuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  const inserted: Array<typeof auditEntries.$inferSelect> = [];
  for (let i = 0; i < rows.length; i += CHUNK)
    inserted.push(
      ...(await tx
        .insert(auditEntries)
        .values(rows.slice(i, i + CHUNK))
        .onConflictDoNothing()
        .returning()),
    );
  await appendManyToLedger(
    tx,
    inserted
      .sort((a, b) => a.id - b.id)
      .map((row) => ({
        tenantId: row.tenantId,
        kind: 'audit' as const,
        recordId: String(row.id),
        record: {
          at: new Date(row.at).toISOString(),
          actor: row.actor,
          role: row.role,
          operation: row.operation,
          subject: row.subject,
          reason: row.reason,
          before: row.before ?? null,
          after: row.after ?? null,
          input: row.input,
          outcome: row.outcome,
        },
      })),
  );
}

/** Entries per statement: well under PostgreSQL's 65,535 parameters (11 columns each). */
const CHUNK = 1_000;

/** A twin's audit entry as an audit row. */
export const twinAuditRow = (tenantId: string, entry: TwinAuditEntry): AuditRow => ({
  tenantId,
  actor: entry.actor,
  role: 'twin',
  operation: entry.operation,
  input: {},
  outcome: 'ok',
  at: entry.at,
  subject: entry.subject,
  reason: entry.reason,
  before: entry.before,
  after: entry.after,
  sourceKey: entry.sourceKey,
});

/** An operation's change of status (a rollout's, a provisioning's) as an audit row. */
export const statusChangeRow = (change: {
  tenantId: string;
  actor: string;
  operation: string;
  subject: string;
  reason: string | null;
  before: string | null;
  after: string;
}): AuditRow => ({
  tenantId: change.tenantId,
  actor: change.actor,
  role: 'twin',
  operation: change.operation,
  input: {},
  outcome: 'ok',
  subject: change.subject,
  reason: change.reason,
  before: change.before === null ? null : { status: change.before },
  after: { status: change.after },
});

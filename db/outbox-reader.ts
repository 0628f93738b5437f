import { asc, gt, sql as dsql } from 'drizzle-orm';
import type { Database } from './client';
import { outboxFilterSql, type OutboxFilter } from './outbox-filter';
import { outbox, outboxHorizon } from './schema';

export interface OutboxEntry {
  readonly id: number;
  readonly tenantId: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly kind: string;
  /** The event and the aggregate's state after it: a device's or an asset's, per `aggregateType`. */
  readonly event: unknown;
  readonly state: unknown;
  readonly occurredAt: string;
}

function toEntry(r: typeof outbox.$inferSelect): OutboxEntry {
  const payload = r.payload as { event: unknown; state: unknown };
  return {
    id: r.id,
    tenantId: r.tenantId,
    aggregateType: r.aggregateType,
    aggregateId: r.aggregateId,
    version: r.version,
    kind: r.kind,
    event: payload.event,
    state: payload.state,
    occurredAt: r.occurredAt,
  };
}

/** Outbox rows after a cursor, oldest first. */
export async function readOutboxAfter(
  database: Database,
  cursor: number,
  limit = 500,
): Promise<OutboxEntry[]> {
  const rows = await database.db
    .select()
    .from(outbox)
    .where(gt(outbox.id, cursor))
    .orderBy(asc(outbox.id))
    .limit(limit);
  return rows.map(toEntry);
}

/** The rows a filter selects after a cursor, oldest first: one page of a replay. */
export async function readFilteredOutbox(
  database: Database,
  filter: OutboxFilter,
  cursor: number,
  limit = 500,
): Promise<OutboxEntry[]> {
  const rows = await database.db
    .select()
    .from(outbox)
    .where(outboxFilterSql(filter, cursor))
    .orderBy(asc(outbox.id))
    .limit(limit);
  return rows.map(toEntry);
}

/** The newest outbox id: where a reader that wants only new events starts. */
export async function latestOutboxId(database: Database): Promise<number> {
  const [r] = await database.db
    .select({ max: dsql<string | null>`max(${outbox.id})` })
    .from(outbox);
  return Number(r?.max ?? 0);
}

/**
 * What a cursor can be checked against: every row up to `prunedThrough` may be gone, and no
 * cursor handed out can be past `newest` (ids commit in order, see outbox-writer).
 */
export async function outboxBounds(
  database: Database,
): Promise<{ prunedThrough: number; newest: number }> {
  const [r] = await database.db
    .select({
      prunedThrough: dsql<
        string | null
      >`(select ${outboxHorizon.prunedThrough} from ${outboxHorizon})`,
      newest: dsql<string | null>`(select max(${outbox.id}) from ${outbox})`,
    })
    .from(dsql`(select 1) as one`);
  const prunedThrough = Number(r?.prunedThrough ?? 0);
  return { prunedThrough, newest: Math.max(prunedThrough, Number(r?.newest ?? 0)) };
}

import { asc, gt, sql as dsql, type SQL } from 'drizzle-orm';
import type { TwinChange } from '../twins/webhooks/cloud-event';
import type { Database } from './client';
import { outboxFilterSql, type OutboxFilter } from './outbox-filter';
import { outbox, outboxHorizon } from './schema';

/** An outbox row: the event and the aggregate's state after it (a device's or an asset's). */
/** A twin change as stored; `traceparent` only where tracing was on when it was written. */
export type OutboxEntry = TwinChange & { readonly traceparent?: string };

export function outboxEntryOf(r: typeof outbox.$inferSelect): OutboxEntry {
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
    ...(r.traceparent ? { traceparent: r.traceparent } : {}),
  };
}

/** Outbox rows after a cursor, oldest first. */
export function readOutboxAfter(database: Database, cursor: number, limit = 500) {
  return readOutbox(database, gt(outbox.id, cursor), limit);
}

/** The rows a filter selects after a cursor, oldest first: one page of a replay. */
export function readFilteredOutbox(
  database: Database,
  filter: OutboxFilter,
  cursor: number,
  limit = 500,
) {
  return readOutbox(database, outboxFilterSql(filter, cursor), limit);
}

async function readOutbox(database: Database, where: SQL, limit: number): Promise<OutboxEntry[]> {
  const rows = await database.db
    .select()
    .from(outbox)
    .where(where)
    .orderBy(asc(outbox.id))
    .limit(limit);
  return rows.map(outboxEntryOf);
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

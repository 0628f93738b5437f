import { asc, gt, sql as dsql } from 'drizzle-orm';
import type { Database } from './client';
import { outbox } from './schema';

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
  return rows.map((r) => {
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
  });
}

/** The newest outbox id: where a reader that wants only new events starts. */
export async function latestOutboxId(database: Database): Promise<number> {
  const [r] = await database.db
    .select({ max: dsql<string | null>`max(${outbox.id})` })
    .from(outbox);
  return Number(r?.max ?? 0);
}

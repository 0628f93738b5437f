import { sql as dsql } from 'drizzle-orm';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import type { TransactionSql } from 'postgres';
import { outbox, OUTBOX_CHANNEL } from './schema';
import { traceparentOf } from '../observability/tracing';

/**
 * Serialises outbox inserts so that ids commit in order and a reader never skips a row: the
 * id is drawn (nextval) only after the lock is granted, and PostgreSQL releases a transaction's
 * locks after its commit became visible, so a reader that sees id n sees every id below n that
 * will ever commit. Every outbox write goes through here (test/outbox-fanout.test.ts checks).
 */
const OUTBOX_ORDER_LOCK = 7263552;

type Tx = PgTransaction<any, any, any>;

/**
 * Appends one outbox row per event of an aggregate, inside the caller's transaction, and wakes
 * every outbox reader on commit. Idempotent: a row per (aggregate, version) is written once.
 * Call it last: the order lock is held until the transaction ends.
 */
export async function appendToOutbox(
  tx: Tx,
  aggregate: { type: 'device' | 'asset' | 'alarm'; tenantId: string; id: string },
  changes: ReadonlyArray<{ event: { type: string; at: string }; state: { version: number } }>,
): Promise<void> {
  await appendChangesToOutbox(
    tx,
    changes.map(({ event, state }) => ({ aggregate, event, state })),
  );
}

/**
 * `appendManyToOutbox` in a drizzle transaction: the changes of many aggregates (a bulk's new
 * devices) in a statement per thousand rows, under the same order lock. Call it last.
 */
export async function appendChangesToOutbox(
  tx: Tx,
  changes: readonly OutboxChange[],
): Promise<void> {
  if (changes.length === 0) return;
  await tx.execute(dsql`select pg_advisory_xact_lock(${OUTBOX_ORDER_LOCK})`);
  for (let i = 0; i < changes.length; i += CHUNK)
    await tx
      .insert(outbox)
      .values(
        changes.slice(i, i + CHUNK).map(({ aggregate, event, state }) => ({
          tenantId: aggregate.tenantId,
          aggregateType: aggregate.type,
          aggregateId: aggregate.id,
          version: state.version,
          kind: event.type,
          payload: { event, state } as unknown as Record<string, unknown>,
          occurredAt: event.at,
          traceparent: traceparentOf() ?? null,
        })),
      )
      .onConflictDoNothing();
  for (const tenant of new Set(changes.map((c) => c.aggregate.tenantId)))
    await tx.execute(dsql`select pg_notify(${OUTBOX_CHANNEL}, ${tenant})`);
}

/** Rows per statement: well under PostgreSQL's 65,535 parameters (8 columns each). */
const CHUNK = 1_000;

/** One change of one aggregate, for `appendManyToOutbox`. */
export interface OutboxChange {
  readonly aggregate: { type: 'device' | 'asset' | 'alarm'; tenantId: string; id: string };
  readonly event: { type: string; at: string };
  readonly state: { version: number };
  /** W3C trace context of the message that made the change (tracing on). */
  readonly traceparent?: string | undefined;
}

/**
 * Appends the changes of many aggregates in one statement (the ingest path's batches), under
 * the same order lock as `appendToOutbox`, and wakes every outbox reader on commit. Call it
 * last in the transaction, for the same reason.
 */
export async function appendManyToOutbox(
  tx: TransactionSql,
  changes: readonly OutboxChange[],
): Promise<void> {
  if (changes.length === 0) return;
  await tx`select pg_advisory_xact_lock(${OUTBOX_ORDER_LOCK})`;
  const rows = JSON.stringify(
    changes.map(({ aggregate, event, state, traceparent }) => ({
      tenant_id: aggregate.tenantId,
      aggregate_type: aggregate.type,
      aggregate_id: aggregate.id,
      version: state.version,
      kind: event.type,
      payload: { event, state },
      occurred_at: event.at,
      traceparent: traceparent ?? null,
    })),
  );
  await tx`
    insert into outbox (tenant_id, aggregate_type, aggregate_id, version, kind, payload, occurred_at,
      traceparent)
    select tenant_id, aggregate_type, aggregate_id, version, kind, payload, occurred_at, traceparent
    from jsonb_to_recordset(${rows}::jsonb) as r(tenant_id text, aggregate_type text,
      aggregate_id text, version bigint, kind text, payload jsonb, occurred_at timestamptz,
      traceparent text)
    order by aggregate_id, version
    on conflict do nothing`;
  for (const tenant of new Set(changes.map((c) => c.aggregate.tenantId)))
    await tx`select pg_notify(${OUTBOX_CHANNEL}, ${tenant})`;
}

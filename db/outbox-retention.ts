import { sql as dsql } from 'drizzle-orm';
import type { Database } from './client';

/** Rows deleted per transaction: short transactions, so writers never wait long on a prune. */
const BATCH = 5_000;
/** One pruner at a time, whichever worker's schedule fires. */
const PRUNE_LOCK = 7263553;

/**
 * Deletes outbox rows written more than `retentionMs` ago (by the database's clock, not the
 * devices'), in batches, and raises the horizon (db/schema/outbox-horizon) to the newest id
 * deleted in the same transaction, so a resume from an older cursor is refused rather than
 * silently missing rows. Safe to run anywhere and often: concurrent runs wait on a lock.
 */
export async function pruneOutbox(
  database: Database,
  retentionMs: number,
): Promise<{ deleted: number; prunedThrough: number }> {
  let deleted = 0;
  let prunedThrough = 0;
  for (;;) {
    const batch = await database.db.transaction(async (tx) => {
      await tx.execute(dsql`select pg_advisory_xact_lock(${PRUNE_LOCK})`);
      const [r] = await tx.execute<{ deleted: number; through: string | null }>(dsql`
        with gone as (
          delete from outbox where id in (
            select id from outbox
            where created_at < now() - make_interval(secs => ${retentionMs / 1000})
            order by id limit ${BATCH}
          )
          returning id
        ), horizon as (
          insert into outbox_horizon (id, pruned_through)
          select 1, max(id) from gone having count(*) > 0
          on conflict (id) do update
            set pruned_through = greatest(outbox_horizon.pruned_through, excluded.pruned_through),
                pruned_at = now()
          returning pruned_through
        )
        select (select count(*) from gone)::int as deleted,
               (select pruned_through from horizon) as through
      `);
      return { deleted: r?.deleted ?? 0, through: Number(r?.through ?? 0) };
    });
    deleted += batch.deleted;
    prunedThrough = Math.max(prunedThrough, batch.through);
    if (batch.deleted < BATCH) return { deleted, prunedThrough };
  }
}

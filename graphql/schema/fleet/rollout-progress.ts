import { listenTo } from '../../../db/notifications';
import { findRollout, rolloutCounts } from '../../../db/rollout-store';
import { apiError } from '../../errors';
import type { ApiContext } from '../resolvers';
import { wakeableWait } from '../../../db/wakeable-wait';

/** Several changes within this time make one event (a wave moves many devices at once). */
const COALESCE_MS = 250;
/** Read again after this much quiet, should a notification have been lost. */
const SAFETY_READ_MS = 5_000;
const ENDED = new Set(['aborted', 'completed']);

/**
 * A rollout's progress as it changes: the rollout now, then again each time its status,
 * reason or counts change (woken by the NOTIFY its store sends, coalesced), ending after the
 * event that shows it ended. Any API process serves it: the state is read from PostgreSQL.
 */
export async function* rolloutProgress(
  ctx: ApiContext,
  tenantId: string,
  rolloutId: string,
): AsyncGenerator<{ rolloutProgress: unknown }> {
  const key = `${tenantId}:${rolloutId}`;
  const sleep = wakeableWait();
  let changed = true;
  const listener = await listenTo(ctx.database, 'rollouts', (payload) => {
    if (payload !== key) return;
    changed = true;
    sleep.wake();
  });
  try {
    let last = '';
    for (;;) {
      changed = false;
      const row = await findRollout(ctx.database, tenantId, rolloutId);
      if (!row)
        throw apiError('rollout:not-found', `no rollout ${rolloutId} in tenant ${tenantId}`);
      const counts = await rolloutCounts(ctx.database, tenantId, rolloutId);
      const seen = JSON.stringify([row.status, row.reason, counts]);
      if (seen !== last) yield { rolloutProgress: { ...row, counts } };
      last = seen;
      if (ENDED.has(row.status)) return;
      if (!changed) await sleep.wait(SAFETY_READ_MS);
      await new Promise((resolve) => setTimeout(resolve, COALESCE_MS));
    }
  } finally {
    await listener.unlisten();
  }
}

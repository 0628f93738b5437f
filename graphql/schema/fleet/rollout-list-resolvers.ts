import { countRollouts, rolloutPage, waveCounts } from '../../../db/rollout-pages';
import type { findRollout } from '../../../db/rollout-store';
import { isRollout, wavePlan } from '../../../twins/rollout/plan';
import { connection, pageRequest, type PageArgs } from '../graph/connection';
import { requireId } from '../graph/input';
import type { ApiContext } from '../resolvers';
import { rolloutCountsOf } from './rollout-counts';

type Row = NonNullable<Awaited<ReturnType<typeof findRollout>>>;

/** The waves a field may ask for at once: a picture of more is not a picture. */
const MAX_WAVES = 1_000;

/** A tenant's rollouts as a list (newest first) and what a list shows of each: kind, waves. */
export const rolloutListResolvers = {
  RolloutKind: { FIRMWARE: 'firmware', COMMAND: 'command' },
  Rollout: {
    kind: (row: Row) => (isRollout(row.config) ? 'firmware' : 'command'),
    waves: async (row: Row, args: { first: number }, ctx: ApiContext) => {
      const counts = await rolloutCountsOf(ctx, row.tenantId, row.rolloutId);
      const targeted = Object.values(counts).reduce((a, b) => a + b, 0);
      const first = Math.max(0, Math.min(args.first, MAX_WAVES));
      const waves = wavePlan(targeted, row.config).slice(0, first);
      const byWave = await waveCounts(ctx.database, row, waves);
      return waves.map((w, i) => ({ wave: i, ...w, counts: byWave[i] }));
    },
  },
  Query: {
    rollouts: async (
      _: unknown,
      args: PageArgs & { tenantId: string; status?: string | null },
      ctx: ApiContext,
    ) => {
      requireId('tenantId', args.tenantId);
      const page = pageRequest(args);
      const filter = args.status ? { status: args.status } : {};
      const rows = await rolloutPage(ctx.database, args.tenantId, filter, page);
      return connection(
        rows,
        page,
        (r) => r.rolloutId,
        (r) => r,
        () => countRollouts(ctx.database, args.tenantId, filter),
      );
    },
  },
};

import DataLoader from 'dataloader';
import { countsOfRollouts, type RolloutCounts } from '../../../db/rollout-pages';
import type { ApiContext } from '../resolvers';

/**
 * Rollouts' counts by device status, one statement for all the rollouts a request resolves
 * (a page of the list asks for each). Batched only, never cached: a subscription's context
 * lives as long as it does, and counts move.
 */
const perRequest = new WeakMap<object, DataLoader<string, RolloutCounts>>();

export function rolloutCountsOf(
  ctx: ApiContext,
  tenantId: string,
  rolloutId: string,
): Promise<RolloutCounts> {
  let loader = perRequest.get(ctx);
  if (!loader) {
    loader = new DataLoader(
      async (keys) => {
        const byTenant = new Map<string, string[]>();
        for (const key of keys) {
          const [tenant, id] = JSON.parse(key) as [string, string];
          byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), id]);
        }
        const found = new Map<string, RolloutCounts>();
        for (const [tenant, ids] of byTenant)
          for (const [id, counts] of await countsOfRollouts(ctx.database, tenant, ids))
            found.set(JSON.stringify([tenant, id]), counts);
        return keys.map((k) => found.get(k)!);
      },
      { cache: false },
    );
    perRequest.set(ctx, loader);
  }
  return loader.load(JSON.stringify([tenantId, rolloutId]));
}

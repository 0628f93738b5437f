import { and, asc, count, desc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import { noRolloutCounts, type RolloutDeviceStatus } from '../twins/rollout/plan';
import type { Database } from './client';
import type { PageRequest } from './graph-pages';
import { rolloutDevices, rollouts } from './schema';

// What readers page through: a tenant's rollouts (newest first), a rollout's devices (in
// rollout order) and its waves' counts. The workflow's own reads and writes are in
// rollout-store.ts.

export type RolloutCounts = Record<RolloutDeviceStatus, number>;

const ofTenant = (tenantId: string, status: string | undefined) =>
  and(eq(rollouts.tenantId, tenantId), status ? eq(rollouts.status, status) : undefined);

/**
 * A tenant's rollouts and bulk commands, newest first (ties by id), optionally with one
 * status; up to `first + 1` rows. `after` is the id of the last rollout of the previous page:
 * rollouts are never deleted, so its row is always there to compare with.
 */
export function rolloutPage(
  database: Database,
  tenantId: string,
  filter: { status?: string },
  page: PageRequest,
) {
  const after: SQL | undefined = page.after
    ? sql`(${rollouts.createdAt}, ${rollouts.rolloutId}) < (
        select created_at, rollout_id from rollouts
        where tenant_id = ${tenantId} and rollout_id = ${page.after})`
    : undefined;
  return database.db
    .select()
    .from(rollouts)
    .where(and(ofTenant(tenantId, filter.status), after))
    .orderBy(desc(rollouts.createdAt), desc(rollouts.rolloutId))
    .limit(page.first + 1);
}

export async function countRollouts(
  database: Database,
  tenantId: string,
  filter: { status?: string },
): Promise<number> {
  const [row] = await database.db
    .select({ n: count() })
    .from(rollouts)
    .where(ofTenant(tenantId, filter.status));
  return row?.n ?? 0;
}

/** Counts by device status of several rollouts of a tenant, in one statement. */
export async function countsOfRollouts(
  database: Database,
  tenantId: string,
  rolloutIds: readonly string[],
): Promise<Map<string, RolloutCounts>> {
  const found = new Map(rolloutIds.map((id) => [id, noRolloutCounts()]));
  if (rolloutIds.length === 0) return found;
  const rows = await database.db
    .select({
      rolloutId: rolloutDevices.rolloutId,
      status: rolloutDevices.status,
      n: sql<number>`count(*)::int`,
    })
    .from(rolloutDevices)
    .where(
      and(
        eq(rolloutDevices.tenantId, tenantId),
        inArray(rolloutDevices.rolloutId, [...rolloutIds]),
      ),
    )
    .groupBy(rolloutDevices.rolloutId, rolloutDevices.status);
  for (const r of rows) found.get(r.rolloutId)![r.status as RolloutDeviceStatus] = r.n;
  return found;
}

/** A rollout's devices in rollout order after a position, optionally with one status. */
export function rolloutDevicePage(
  database: Database,
  key: { tenantId: string; rolloutId: string },
  page: { first: number; afterPosition: number; status?: RolloutDeviceStatus },
) {
  return database.db
    .select()
    .from(rolloutDevices)
    .where(
      and(
        eq(rolloutDevices.tenantId, key.tenantId),
        eq(rolloutDevices.rolloutId, key.rolloutId),
        gt(rolloutDevices.position, page.afterPosition),
        page.status ? eq(rolloutDevices.status, page.status) : undefined,
      ),
    )
    .orderBy(asc(rolloutDevices.position))
    .limit(page.first);
}

/**
 * Counts by device status of each of a rollout's waves, given as contiguous ranges of
 * positions from 0 (the canary first): one statement, whatever the number of devices.
 */
export async function waveCounts(
  database: Database,
  key: { tenantId: string; rolloutId: string },
  waves: ReadonlyArray<{ from: number; size: number }>,
): Promise<RolloutCounts[]> {
  const counts = waves.map(() => noRolloutCounts());
  const last = waves.at(-1);
  if (!last) return counts;
  const starts = waves.map((w) => w.from);
  // width_bucket finds each position's wave by binary search over the starts (1-based).
  const rows = await database.sql<Array<{ wave: number; status: RolloutDeviceStatus; n: number }>>`
    select width_bucket(position, ${starts}::int[]) - 1 as wave, status, count(*)::int as n
    from rollout_devices
    where tenant_id = ${key.tenantId} and rollout_id = ${key.rolloutId}
      and position < ${last.from + last.size}
    group by 1, 2`;
  for (const r of rows) {
    const wave = counts[r.wave];
    if (wave) wave[r.status] = r.n;
  }
  return counts;
}

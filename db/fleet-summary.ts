import { count, sql } from 'drizzle-orm';
import type { Database } from './client';
import { deviceConditions, type DeviceFilter } from './graph-pages';
import { deviceTwins } from './schema';

export interface ValueCount<V> {
  readonly value: V;
  readonly count: number;
}

export interface FleetSummary {
  readonly total: number;
  readonly byLifecycle: ValueCount<string>[];
  readonly byConnectivity: ValueCount<string>[];
  /** A device that has not said its model or firmware yet counts under `null`. */
  readonly byModel: ValueCount<string | null>[];
  readonly byFirmware: ValueCount<string | null>[];
}

/**
 * Device counts of a tenant (optionally of a site or customer) by lifecycle, connectivity,
 * model and firmware, in one query: grouping sets count each dimension separately, and
 * `grouping()` tells a group of devices without a model from the grand total.
 */
export async function fleetSummary(
  database: Database,
  tenantId: string,
  filter: Pick<DeviceFilter, 'siteId' | 'customerId'>,
): Promise<FleetSummary> {
  const t = deviceTwins;
  const rows = await database.db
    .select({
      set: sql<number>`grouping(${t.lifecycle}, ${t.connectivity}, ${t.model}, ${t.firmware})`.mapWith(
        Number,
      ),
      lifecycle: t.lifecycle,
      connectivity: t.connectivity,
      model: t.model,
      firmware: t.firmware,
      count: count(),
    })
    .from(t)
    .where(deviceConditions(tenantId, filter))
    .groupBy(
      sql`grouping sets ((${t.lifecycle}), (${t.connectivity}), (${t.model}), (${t.firmware}), ())`,
    );
  // grouping() sets a bit per column that is NOT grouped: lifecycle is the highest (8).
  const only = (bit: number) => rows.filter((r) => r.set === 15 - bit);
  const sorted = <V>(counts: ValueCount<V>[]) =>
    counts.sort((a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)));
  return {
    total: rows.find((r) => r.set === 15)?.count ?? 0,
    byLifecycle: sorted(only(8).map((r) => ({ value: r.lifecycle, count: r.count }))),
    byConnectivity: sorted(only(4).map((r) => ({ value: r.connectivity, count: r.count }))),
    byModel: sorted(only(2).map((r) => ({ value: r.model, count: r.count }))),
    byFirmware: sorted(only(1).map((r) => ({ value: r.firmware, count: r.count }))),
  };
}

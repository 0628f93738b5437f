import { and, asc, eq, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { DeviceTwinState } from '../twins/device';
import type { Database } from './client';
import type { AssetRow, SiteRow } from './graph-lookups';
import { afterId, type PageRequest } from './graph-pages';
import { assets, deviceTwins, sites } from './schema';

// Nested listings (a customer's sites, a site's assets and devices) for many parents at once,
// so that DataLoaders can fetch one page per parent in a single query.

/**
 * One page per parent for many parents in one query (a window per parent), so a list of
 * sites with their assets costs one query, not one per site.
 */
async function pagePerParent<T extends PgTable>(
  database: Database,
  table: T,
  key: { tenant: PgColumn; parent: PgColumn; id: PgColumn },
  where: SQL | undefined,
  page: PageRequest,
): Promise<T['$inferSelect'][]> {
  const ranked = database.db
    .select({
      rankedId: key.id,
      rank: sql<number>`row_number() over (partition by ${key.parent} order by ${key.id})`.as(
        'rank',
      ),
    })
    .from(table as PgTable)
    .where(and(where, afterId(key.id, page)))
    .as('ranked');
  const rows = await database.db
    .select({ row: table as PgTable })
    .from(table as PgTable)
    .innerJoin(ranked, eq(key.id, ranked.rankedId))
    .where(and(where, lte(ranked.rank, page.first + 1)))
    .orderBy(asc(key.parent), asc(key.id));
  return rows.map((r) => r.row as T['$inferSelect']);
}

export function assetPagesOfSites(
  database: Database,
  tenantId: string,
  siteIds: readonly string[],
  page: PageRequest,
): Promise<AssetRow[]> {
  const where = and(eq(assets.tenantId, tenantId), inArray(assets.siteId, [...siteIds]));
  const key = { tenant: assets.tenantId, parent: assets.siteId, id: assets.assetId };
  return pagePerParent(database, assets, key, where, page);
}

export function sitePagesOfCustomers(
  database: Database,
  tenantId: string,
  customerIds: readonly string[],
  page: PageRequest,
): Promise<SiteRow[]> {
  const where = and(eq(sites.tenantId, tenantId), inArray(sites.customerId, [...customerIds]));
  const key = { tenant: sites.tenantId, parent: sites.customerId, id: sites.siteId };
  return pagePerParent(database, sites, key, where, page);
}

export async function devicePagesOfSites(
  database: Database,
  tenantId: string,
  siteIds: readonly string[],
  page: PageRequest,
): Promise<DeviceTwinState[]> {
  const where = and(eq(deviceTwins.tenantId, tenantId), inArray(deviceTwins.siteId, [...siteIds]));
  const key = {
    tenant: deviceTwins.tenantId,
    parent: deviceTwins.siteId,
    id: deviceTwins.deviceId,
  };
  return (await pagePerParent(database, deviceTwins, key, where, page)).map((r) => r.state);
}

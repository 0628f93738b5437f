import { and, asc, eq } from 'drizzle-orm';
import type { Database } from './client';
import type { LocationAsset, LocationSite } from '../twins/ocpi/location-document';
import { ocpiStationFilterSql, type OcpiStationFilter } from './ocpi-station-filter';
import { ocpiLocations } from './schema';

export type { LocationAsset, LocationSite };

export type OcpiLocationRow = typeof ocpiLocations.$inferSelect;

/** Sets a site's OCPI details; null when the site does not exist. */
export async function putOcpiLocation(
  database: Database,
  tenantId: string,
  siteId: string,
  details: Record<string, unknown>,
  publish: boolean,
): Promise<OcpiLocationRow | null> {
  const [site] = await database.sql<{ one: number }[]>`
    select 1 as one from sites where tenant_id = ${tenantId} and site_id = ${siteId}`;
  if (!site) return null;
  const [row] = await database.db
    .insert(ocpiLocations)
    .values({ tenantId, siteId, details, publish })
    .onConflictDoUpdate({
      target: [ocpiLocations.tenantId, ocpiLocations.siteId],
      set: { details, publish, updatedAt: new Date() },
    })
    .returning();
  return row ?? null;
}

export async function removeOcpiLocation(database: Database, tenantId: string, siteId: string) {
  const gone = await database.db
    .delete(ocpiLocations)
    .where(and(eq(ocpiLocations.tenantId, tenantId), eq(ocpiLocations.siteId, siteId)))
    .returning({ siteId: ocpiLocations.siteId });
  return gone.length > 0;
}

export function listOcpiLocationRows(database: Database, tenantId: string) {
  return database.db
    .select()
    .from(ocpiLocations)
    .where(eq(ocpiLocations.tenantId, tenantId))
    .orderBy(asc(ocpiLocations.siteId));
}

export async function findOcpiLocationRow(database: Database, tenantId: string, siteId: string) {
  const [row] = await database.db
    .select()
    .from(ocpiLocations)
    .where(and(eq(ocpiLocations.tenantId, tenantId), eq(ocpiLocations.siteId, siteId)))
    .orderBy(asc(ocpiLocations.siteId));
  return row ?? null;
}

/**
 * A page of a tenant's published Locations, by site id, with the total: a Location's
 * last_updated is the newest change of its details, its assets and their stations, and the
 * date window (OCPI's date_from inclusive, date_to exclusive) applies to it. Under a party's
 * station filter, only Locations with at least one EVSE whose station it sees are listed, and
 * only those EVSEs and stations count for last_updated.
 */
export async function pageLocationSites(
  database: Database,
  tenantId: string,
  page: { offset: number; limit: number; dateFrom?: Date; dateTo?: Date; siteId?: string },
  stations: OcpiStationFilter,
): Promise<{ sites: LocationSite[]; total: number }> {
  // postgres.js binds a Date only where it knows the column's type: ISO text, cast in SQL.
  const from = page.dateFrom?.toISOString() ?? null;
  const to = page.dateTo?.toISOString() ?? null;
  const seen =
    stations === null
      ? database.sql`true`
      : database.sql`exists (
          select 1 from assets a
          join device_twins d on d.tenant_id = a.tenant_id and d.device_id = a.current_device_id
          where a.tenant_id = l.tenant_id and a.site_id = l.site_id
            and ${ocpiStationFilterSql(database, stations, 'd')})`;
  const rows = await database.sql<
    {
      site_id: string;
      name: string;
      details: Record<string, unknown>;
      publish: boolean;
      last_updated: Date;
      total: string;
    }[]
  >`
    with located as (
      select l.site_id, s.name, l.details, l.publish,
        greatest(
          l.updated_at,
          -- Only what the party sees: a station it does not see changes nothing of its copy.
          (select max(a.updated_at::timestamptz) from assets a
             left join device_twins d
               on d.tenant_id = a.tenant_id and d.device_id = a.current_device_id
             where a.tenant_id = l.tenant_id and a.site_id = l.site_id
               and ${ocpiStationFilterSql(database, stations, 'd')}),
          (select max(d.updated_at::timestamptz) from assets a
             join device_twins d on d.tenant_id = a.tenant_id and d.device_id = a.current_device_id
             where a.tenant_id = l.tenant_id and a.site_id = l.site_id
               and ${ocpiStationFilterSql(database, stations, 'd')})
        ) as last_updated
      from ocpi_locations l
      join sites s on s.tenant_id = l.tenant_id and s.site_id = l.site_id
      where l.tenant_id = ${tenantId} and l.publish
        and (${page.siteId ?? null}::text is null or l.site_id = ${page.siteId ?? null})
        and ${seen}
    )
    select *, count(*) over () as total from located
    where (${from}::timestamptz is null or last_updated >= ${from}::timestamptz)
      and (${to}::timestamptz is null or last_updated < ${to}::timestamptz)
    order by site_id
    offset ${page.offset} limit ${page.limit}`;
  let total = Number(rows[0]?.total ?? 0);
  if (rows.length === 0 && page.offset > 0) {
    // Past the end: the window is empty but the total still counts.
    const [c] = await database.sql<{ n: string }[]>`
      select count(*) as n from ocpi_locations l
      where l.tenant_id = ${tenantId} and l.publish and ${seen}`;
    total = Number(c?.n ?? 0);
  }
  return {
    total,
    sites: rows.map((r) => ({
      siteId: r.site_id,
      name: r.name,
      details: r.details,
      publish: r.publish,
      lastUpdated: new Date(r.last_updated),
    })),
  };
}

/**
 * The assets of these sites with their current station's connectivity and reported state;
 * under a party's station filter, only those whose station it sees.
 */
export async function locationAssets(
  database: Database,
  tenantId: string,
  siteIds: readonly string[],
  stations: OcpiStationFilter,
): Promise<LocationAsset[]> {
  if (siteIds.length === 0) return [];
  const rows = await database.sql<
    {
      site_id: string;
      asset_id: string;
      name: string;
      attributes: Record<string, unknown>;
      device_id: string | null;
      connectivity: string | null;
      reported: Record<string, unknown> | null;
      last_updated: Date;
      tariff_ids: string[];
    }[]
  >`
    select a.site_id, a.asset_id, a.name, a.attributes, d.device_id, d.connectivity, d.reported,
      greatest(a.updated_at::timestamptz, d.updated_at::timestamptz) as last_updated,
      -- The asset's own tariffs, else its site's.
      coalesce(
        (select array_agg(t.tariff_id order by t.tariff_id) from ocpi_tariffs t
           where t.tenant_id = a.tenant_id and a.asset_id = any(t.asset_ids)),
        (select array_agg(t.tariff_id order by t.tariff_id) from ocpi_tariffs t
           where t.tenant_id = a.tenant_id and a.site_id = any(t.site_ids)),
        '{}') as tariff_ids
    from assets a
    left join device_twins d on d.tenant_id = a.tenant_id and d.device_id = a.current_device_id
    where a.tenant_id = ${tenantId} and a.site_id = any(${siteIds as string[]})
      and ${ocpiStationFilterSql(database, stations, 'd')}
    order by a.site_id, a.asset_id`;
  return rows.map((r) => ({
    siteId: r.site_id,
    assetId: r.asset_id,
    name: r.name,
    attributes: r.attributes,
    deviceId: r.device_id,
    connectivity: r.connectivity,
    reported: r.reported,
    lastUpdated: new Date(r.last_updated),
    tariffIds: r.tariff_ids,
  }));
}

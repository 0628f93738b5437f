import { and, eq } from 'drizzle-orm';
import type { Database } from './client';
import {
  locationAssets,
  pageLocationSites,
  type LocationAsset,
  type LocationSite,
} from './ocpi-location-store';
import type { OcpiStationFilter } from './ocpi-station-filter';
import { ocpiPushedLocations } from './schema';

/** Locations read per query while the push compares them with what it sent. */
const PAGE = 500;

/** Every published Location the party sees now, with the EVSEs it sees. */
export async function visibleLocations(
  database: Database,
  tenantId: string,
  stations: OcpiStationFilter,
): Promise<Array<{ site: LocationSite; assets: LocationAsset[] }>> {
  const found: Array<{ site: LocationSite; assets: LocationAsset[] }> = [];
  for (let offset = 0; ; offset += PAGE) {
    const { sites } = await pageLocationSites(
      database,
      tenantId,
      { offset, limit: PAGE },
      stations,
    );
    const assets = await locationAssets(
      database,
      tenantId,
      sites.map((s) => s.siteId),
      stations,
    );
    for (const site of sites)
      found.push({ site, assets: assets.filter((a) => a.siteId === site.siteId) });
    if (sites.length < PAGE) return found;
  }
}

/** What the push last sent this party of each Location, by site id. */
export async function pushedLocations(database: Database, tenantId: string, partyId: string) {
  const rows = await database.db
    .select()
    .from(ocpiPushedLocations)
    .where(
      and(eq(ocpiPushedLocations.tenantId, tenantId), eq(ocpiPushedLocations.ocpiPartyId, partyId)),
    );
  return new Map(rows.map((r) => [r.siteId, r]));
}

/** Records a Location as sent to the party. */
export async function recordPushedLocation(
  database: Database,
  tenantId: string,
  partyId: string,
  siteId: string,
  shape: string,
  document: Record<string, unknown>,
) {
  await database.db
    .insert(ocpiPushedLocations)
    .values({ tenantId, ocpiPartyId: partyId, siteId, shape, document })
    .onConflictDoUpdate({
      target: [
        ocpiPushedLocations.tenantId,
        ocpiPushedLocations.ocpiPartyId,
        ocpiPushedLocations.siteId,
      ],
      set: { shape, document },
    });
}

/** Forgets a Location the party was sent as removed. */
export async function forgetPushedLocation(
  database: Database,
  tenantId: string,
  partyId: string,
  siteId: string,
) {
  await database.db
    .delete(ocpiPushedLocations)
    .where(
      and(
        eq(ocpiPushedLocations.tenantId, tenantId),
        eq(ocpiPushedLocations.ocpiPartyId, partyId),
        eq(ocpiPushedLocations.siteId, siteId),
      ),
    );
}

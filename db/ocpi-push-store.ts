import { and, eq } from 'drizzle-orm';
import type { Database } from './client';
import { locationAssets, pageLocationSites } from './ocpi-location-store';
import type { OcpiStationFilter } from './ocpi-station-filter';
import { ocpiParties } from './schema';

/** How many outbox rows one push round reads. */
export const PUSH_PAGE = 200;

/** The devices whose changes the push has not handled yet, and the outbox id it reaches. */
export async function ocpiPushPage(database: Database, tenantId: string, partyId: string) {
  const [party] = await database.db
    .select()
    .from(ocpiParties)
    .where(and(eq(ocpiParties.tenantId, tenantId), eq(ocpiParties.partyId, partyId)));
  if (!party) return null;
  const rows = await database.sql<{ id: string; aggregate_type: string; aggregate_id: string }[]>`
    select id, aggregate_type, aggregate_id from outbox
    where tenant_id = ${tenantId} and id > ${party.pushCursor}
    order by id limit ${PUSH_PAGE}`;
  const deviceIds = [
    ...new Set(rows.filter((r) => r.aggregate_type === 'device').map((r) => r.aggregate_id)),
  ];
  return {
    party,
    deviceIds,
    reaches: rows.length > 0 ? Number(rows.at(-1)!.id) : party.pushCursor,
    full: rows.length === PUSH_PAGE,
  };
}

/**
 * The published Locations and EVSEs these devices stand in now (their current state), of
 * those the party's station filter lets it see: `assets` the changed EVSEs, `all` every EVSE
 * of the Location the party sees (for a PUT of the whole Location).
 */
export async function evsesOfDevices(
  database: Database,
  tenantId: string,
  deviceIds: readonly string[],
  stations: OcpiStationFilter,
) {
  if (deviceIds.length === 0) return [];
  const sites = await database.sql<{ site_id: string }[]>`
    select distinct a.site_id from assets a
    join ocpi_locations l on l.tenant_id = a.tenant_id and l.site_id = a.site_id and l.publish
    where a.tenant_id = ${tenantId} and a.current_device_id = any(${deviceIds as string[]})`;
  const found = [];
  for (const { site_id } of sites) {
    const page = await pageLocationSites(
      database,
      tenantId,
      { offset: 0, limit: 1, siteId: site_id },
      stations,
    );
    const assets = await locationAssets(database, tenantId, [site_id], stations);
    const site = page.sites[0];
    if (!site) continue;
    found.push({
      site,
      assets: assets.filter((a) => a.deviceId !== null && deviceIds.includes(a.deviceId)),
      all: assets,
    });
  }
  return found;
}

/** Moves the push cursor from `expected` to `to`; false when it was moved meanwhile. */
export async function advanceOcpiPushCursor(
  database: Database,
  tenantId: string,
  partyId: string,
  expected: number,
  to: number,
): Promise<boolean> {
  const moved = await database.db
    .update(ocpiParties)
    .set({ pushCursor: to })
    .where(
      and(
        eq(ocpiParties.tenantId, tenantId),
        eq(ocpiParties.partyId, partyId),
        eq(ocpiParties.pushCursor, expected),
      ),
    )
    .returning({ id: ocpiParties.partyId });
  return moved.length > 0;
}

/** The parties of a tenant whose push runs (connected ones), for the NOTIFY waker. */
export async function connectedOcpiPartyIds(
  database: Database,
  tenantId: string,
): Promise<string[]> {
  const rows = await database.db
    .select({ partyId: ocpiParties.partyId })
    .from(ocpiParties)
    .where(and(eq(ocpiParties.tenantId, tenantId), eq(ocpiParties.status, 'connected')));
  return rows.map((r) => r.partyId);
}

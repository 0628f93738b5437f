import { locationAssets, pageLocationSites } from '../../db/ocpi-location-store';
import { ocpiPartyStationFilter } from '../../db/ocpi-station-filter';
import type { OcpiCaller } from './credentials';
import { OCPI_STATUS, OcpiError } from './envelope';
import { locationDocument, ocpiId } from '../../twins/ocpi/location-document';
import { moduleUrl, type OcpiDeps } from './ocpi-deps';
import { pageHeaders, parsePage } from './paging';

const unknownLocation = (what: string) =>
  new OcpiError('ocpi:location.not-found', 404, OCPI_STATUS.unknownLocation, `no ${what}`);

/**
 * GET /locations (the Sender interface): the caller's tenant's published Locations, a page at a
 * time, with OCPI's paging headers and a Link to the next page — only the EVSEs whose stations
 * the party sees (its OCPI backends), and no Location left without one.
 */
export async function listLocations(deps: OcpiDeps, caller: OcpiCaller, search: URLSearchParams) {
  const page = parsePage(search);
  const { tenantId, partyId } = caller.party;
  const stations = await ocpiPartyStationFilter(deps.database, tenantId, partyId);
  const { sites, total } = await pageLocationSites(deps.database, tenantId, page, stations);
  const assets = await locationAssets(
    deps.database,
    tenantId,
    sites.map((s) => s.siteId),
    stations,
  );
  const data = sites.map((site) =>
    locationDocument(
      caller.party,
      site,
      assets.filter((a) => a.siteId === site.siteId),
    ),
  );
  const url = new URL(moduleUrl(deps, 'locations'));
  for (const [k, v] of search) url.searchParams.set(k, v);
  return { data, headers: pageHeaders(url, page, total) };
}

/** GET /locations/{location_id}[/{evse_uid}[/{connector_id}]]. */
export async function readLocation(deps: OcpiDeps, caller: OcpiCaller, ids: readonly string[]) {
  const [locationId, evseUid, connectorId] = ids.map((p) => decodeURIComponent(p));
  const { tenantId, partyId } = caller.party;
  const stations = await ocpiPartyStationFilter(deps.database, tenantId, partyId);
  const { sites } = await pageLocationSites(
    deps.database,
    tenantId,
    { offset: 0, limit: 1, siteId: locationId! },
    stations,
  );
  const [site] = sites;
  if (!site) throw unknownLocation(`location ${locationId}`);
  const assets = await locationAssets(deps.database, tenantId, [site.siteId], stations);
  const location = locationDocument(caller.party, site, assets);
  if (evseUid === undefined) return location;
  const evse = location.evses.find((e) => e.uid === ocpiId(evseUid) || e.uid === evseUid);
  if (!evse) throw unknownLocation(`EVSE ${evseUid} at location ${locationId}`);
  if (connectorId === undefined) return evse;
  const connector = evse.connectors.find((c) => c.id === connectorId);
  if (!connector) throw unknownLocation(`connector ${connectorId} of EVSE ${evseUid}`);
  return connector;
}

import type { PendingQuery, Row } from 'postgres';
import { matches, type BackendMatch, type RoutedDevice } from '../twins/routing';
import { listBackends } from './backend-store';
import type { Database } from './client';

/**
 * Which stations an OCPI party sees: the matches of its enabled OCPI backends (a station is
 * seen when any of them takes it), or null — no enabled OCPI backend — for every station of
 * the tenant (decision 6; docs/backends.md, "OCPI parties").
 */
export type OcpiStationFilter = readonly BackendMatch[] | null;

/**
 * The party's filter as the backends table holds it now: read on every pull, push round and
 * command, so a change applies at once. One call for everything OCPI sends a party (Locations,
 * status pushes, Commands; Sessions and CDRs at merge).
 */
export async function ocpiPartyStationFilter(
  database: Database,
  tenantId: string,
  partyId: string,
): Promise<OcpiStationFilter> {
  const narrowing = (await listBackends(database, tenantId))
    .map((s) => s.backend)
    .filter((b) => b.kind === 'ocpi' && b.enabled && b.ocpiPartyId === partyId)
    .map((b) => b.match);
  return narrowing.length > 0 ? narrowing : null;
}

/** Whether the filter lets a party see this station (null device: an EVSE without a station). */
export function ocpiPartySees(filter: OcpiStationFilter, device: RoutedDevice | null): boolean {
  if (filter === null) return true;
  return device !== null && filter.some((match) => matches(match, device));
}

/**
 * The same test in SQL, over a `device_twins` row aliased `alias` (left-joined: no station is
 * not seen under a filter), for queries that page or count what a party sees. Mirrors
 * `matches` in twins/routing: a list left out takes any device.
 */
export function ocpiStationFilterSql(
  database: Database,
  filter: OcpiStationFilter,
  alias: string,
): PendingQuery<Row[]> {
  const { sql } = database;
  if (filter === null) return sql`true`;
  const d = sql(alias);
  return sql`(${d}.device_id is not null and exists (
    select 1 from jsonb_array_elements(${JSON.stringify(filter)}::jsonb) m
    where (not (m ? 'devices') or m -> 'devices' ? ${d}.device_id)
      and (not (m ? 'models') or (${d}.model is not null and m -> 'models' ? ${d}.model))))`;
}

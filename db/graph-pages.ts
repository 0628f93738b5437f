import { and, arrayContains, asc, count, eq, gt, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { AssetHealth } from '../twins/asset';
import type { DeviceTwinState, LifecycleState } from '../twins/device';
import type { Database } from './client';
import type { AssetRow, CustomerRow, SiteRow } from './graph-lookups';
import { startsWith } from './id-prefix';
import { assets, customers, deviceProvisioning, deviceTwins, sites } from './schema';

// Listings of the twin graph, ordered by id, with keyset pagination: `after` is the last id
// of the previous page. Each returns up to `first + 1` rows so the caller can tell whether
// there is a next page.

export interface PageRequest {
  readonly first: number;
  readonly after: string | null;
}

export interface DeviceFilter {
  readonly lifecycle?: readonly LifecycleState[];
  readonly online?: boolean;
  readonly model?: string;
  readonly firmware?: string;
  readonly siteId?: string;
  readonly customerId?: string;
  readonly assetId?: string;
  readonly tag?: string;
  /** Devices whose id starts with it. */
  readonly idPrefix?: string;
  /** The device provisioned under this serial (provisioning keys a device by its serial). */
  readonly serial?: string;
}

export interface AssetFilter {
  readonly siteId?: string;
  readonly customerId?: string;
  readonly health?: readonly AssetHealth[];
  readonly kind?: string;
  readonly tag?: string;
}

export interface SiteFilter {
  readonly customerId?: string;
  readonly tag?: string;
}

const when = <T>(value: T | undefined | null, condition: (v: T) => SQL): SQL | undefined =>
  value === undefined || value === null ? undefined : condition(value);

/** The conditions of a device filter; also used by the fleet summary. */
export function deviceConditions(tenantId: string, filter: DeviceFilter): SQL | undefined {
  const t = deviceTwins;
  return and(
    eq(t.tenantId, tenantId),
    when(filter.lifecycle, (v) => inArray(t.lifecycle, [...v])),
    when(filter.online, (v) => (v ? eq(t.connectivity, 'online') : ne(t.connectivity, 'online'))),
    when(filter.model, (v) => eq(t.model, v)),
    when(filter.firmware, (v) => eq(t.firmware, v)),
    when(filter.siteId, (v) => eq(t.siteId, v)),
    when(filter.customerId, (v) => eq(t.customerId, v)),
    when(filter.assetId, (v) => eq(t.assetId, v)),
    when(filter.tag, (v) => arrayContains(t.tags, [v])),
    when(filter.idPrefix, (v) => startsWith(t.deviceId, v)),
    when(filter.serial, (v) => sql`${eq(t.deviceId, v)} and ${provisionedAs(t.tenantId, v)}`),
  );
}

/** A provisioning record of the serial exists in the row's tenant (its primary key answers). */
function provisionedAs(tenantId: PgColumn, serial: string): SQL {
  const p = deviceProvisioning;
  return sql`exists (select 1 from ${p} where ${p.tenantId} = ${tenantId} and ${p.deviceId} = ${serial})`;
}

function assetConditions(tenantId: string, filter: AssetFilter): SQL | undefined {
  return and(
    eq(assets.tenantId, tenantId),
    when(filter.siteId, (v) => eq(assets.siteId, v)),
    when(filter.customerId, (v) => eq(assets.customerId, v)),
    when(filter.health, (v) => inArray(assets.health, [...v])),
    when(filter.kind, (v) => eq(assets.kind, v)),
    when(filter.tag, (v) => arrayContains(assets.tags, [v])),
  );
}

function siteConditions(tenantId: string, filter: SiteFilter): SQL | undefined {
  return and(
    eq(sites.tenantId, tenantId),
    when(filter.customerId, (v) => eq(sites.customerId, v)),
    when(filter.tag, (v) => arrayContains(sites.tags, [v])),
  );
}

/** Rows after the cursor of a listing ordered by `id`. */
export const afterId = (id: PgColumn, page: PageRequest) => when(page.after, (v) => gt(id, v));

/**
 * The query of a page of devices, unrun (its plans are checked in test/device-search.test.ts).
 * A search by prefix goes in byte order, the prefix index's, which then gives the rows in
 * order from the cursor on; in the collation's order (the primary key's) the planner would
 * have to choose between sorting every match and walking the key past the prefix's end.
 * Where the collation is C (the embedded PostgreSQL) both orders are the same.
 */
export const devicePageQuery = (
  database: Database,
  tenantId: string,
  filter: DeviceFilter,
  page: PageRequest,
) => {
  const id = deviceTwins.deviceId;
  const bytewise = filter.idPrefix !== undefined;
  const after = bytewise ? when(page.after, (v) => sql`${id} ~>~ ${v}`) : afterId(id, page);
  return database.db
    .select({ state: deviceTwins.state })
    .from(deviceTwins)
    .where(and(deviceConditions(tenantId, filter), after))
    .orderBy(bytewise ? sql`${id} using ~<~` : asc(id))
    .limit(page.first + 1);
};

export async function devicePage(
  database: Database,
  tenantId: string,
  filter: DeviceFilter,
  page: PageRequest,
): Promise<DeviceTwinState[]> {
  const rows = await devicePageQuery(database, tenantId, filter, page);
  return rows.map((r) => r.state);
}

export function assetPage(
  database: Database,
  tenantId: string,
  filter: AssetFilter,
  page: PageRequest,
): Promise<AssetRow[]> {
  return database.db
    .select()
    .from(assets)
    .where(and(assetConditions(tenantId, filter), afterId(assets.assetId, page)))
    .orderBy(asc(assets.assetId))
    .limit(page.first + 1);
}

export function sitePage(
  database: Database,
  tenantId: string,
  filter: SiteFilter,
  page: PageRequest,
): Promise<SiteRow[]> {
  return database.db
    .select()
    .from(sites)
    .where(and(siteConditions(tenantId, filter), afterId(sites.siteId, page)))
    .orderBy(asc(sites.siteId))
    .limit(page.first + 1);
}

export function customerPage(
  database: Database,
  tenantId: string,
  page: PageRequest,
): Promise<CustomerRow[]> {
  return database.db
    .select()
    .from(customers)
    .where(and(eq(customers.tenantId, tenantId), afterId(customers.customerId, page)))
    .orderBy(asc(customers.customerId))
    .limit(page.first + 1);
}

/** How many rows a listing has in all, for `totalCount`. */
export async function countOf(
  database: Database,
  what: 'devices' | 'assets' | 'sites' | 'customers',
  tenantId: string,
  filter: DeviceFilter & AssetFilter & SiteFilter = {},
): Promise<number> {
  const [table, where]: [PgTable, SQL | undefined] =
    what === 'devices'
      ? [deviceTwins, deviceConditions(tenantId, filter)]
      : what === 'assets'
        ? [assets, assetConditions(tenantId, filter)]
        : what === 'sites'
          ? [sites, siteConditions(tenantId, filter)]
          : [customers, eq(customers.tenantId, tenantId)];
  const [row] = await database.db.select({ n: count() }).from(table).where(where);
  return row?.n ?? 0;
}

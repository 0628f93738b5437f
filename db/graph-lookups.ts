import { and, asc, eq, inArray } from 'drizzle-orm';
import type { DeviceTwinState } from '../twins/device';
import type { Database } from './client';
import { assetBindings, assets, customers, deviceProvisioning, deviceTwins, sites } from './schema';

// Batch lookups by id within one tenant: one query however many ids, for DataLoaders.

export type CustomerRow = typeof customers.$inferSelect;
export type SiteRow = typeof sites.$inferSelect;
export type AssetRow = typeof assets.$inferSelect;
export type AssetBindingRow = typeof assetBindings.$inferSelect;

export function customersByIds(
  database: Database,
  tenantId: string,
  ids: readonly string[],
): Promise<CustomerRow[]> {
  return database.db
    .select()
    .from(customers)
    .where(and(eq(customers.tenantId, tenantId), inArray(customers.customerId, [...ids])));
}

export function sitesByIds(
  database: Database,
  tenantId: string,
  ids: readonly string[],
): Promise<SiteRow[]> {
  return database.db
    .select()
    .from(sites)
    .where(and(eq(sites.tenantId, tenantId), inArray(sites.siteId, [...ids])));
}

export function assetsByIds(
  database: Database,
  tenantId: string,
  ids: readonly string[],
): Promise<AssetRow[]> {
  return database.db
    .select()
    .from(assets)
    .where(and(eq(assets.tenantId, tenantId), inArray(assets.assetId, [...ids])));
}

export async function devicesByIds(
  database: Database,
  tenantId: string,
  ids: readonly string[],
): Promise<DeviceTwinState[]> {
  const rows = await database.db
    .select({ state: deviceTwins.state })
    .from(deviceTwins)
    .where(and(eq(deviceTwins.tenantId, tenantId), inArray(deviceTwins.deviceId, [...ids])));
  return rows.map((r) => r.state);
}

/** Which of these devices were provisioned (their id is the serial they were provisioned under). */
export function provisionedDevices(
  database: Database,
  tenantId: string,
  ids: readonly string[],
): Promise<{ deviceId: string }[]> {
  const p = deviceProvisioning;
  return database.db
    .select({ deviceId: p.deviceId })
    .from(p)
    .where(and(eq(p.tenantId, tenantId), inArray(p.deviceId, [...ids])));
}

/** The binding history of several assets, each oldest first. */
export function bindingsOfAssets(
  database: Database,
  tenantId: string,
  assetIds: readonly string[],
): Promise<AssetBindingRow[]> {
  return database.db
    .select()
    .from(assetBindings)
    .where(and(eq(assetBindings.tenantId, tenantId), inArray(assetBindings.assetId, [...assetIds])))
    .orderBy(asc(assetBindings.assetId), asc(assetBindings.boundVersion));
}

import DataLoader from 'dataloader';
import type { Database } from '../../../db/client';
import {
  assetsByIds,
  bindingsOfAssets,
  customersByIds,
  devicesByIds,
  provisionedDevices,
  sitesByIds,
  type AssetBindingRow,
  type AssetRow,
  type CustomerRow,
  type SiteRow,
} from '../../../db/graph-lookups';
import {
  assetPagesOfSites,
  devicePagesOfSites,
  sitePagesOfCustomers,
} from '../../../db/graph-child-pages';
import type { PageRequest } from '../../../db/graph-pages';
import type { DeviceTwinState } from '../../../twins/device';

/** A row of one tenant, by id. */
export interface RowKey {
  readonly tenantId: string;
  readonly id: string;
}

/** One page of the children of one parent. */
export interface ChildPageKey {
  readonly tenantId: string;
  readonly parentId: string;
  readonly page: PageRequest;
}

/**
 * Keys grouped by what their batch query shares, so each group costs one query however
 * many keys it has (in practice: one tenant, one page size).
 */
function grouped<K, G>(keys: readonly K[], groupOf: (key: K) => string, sample: (k: K) => G) {
  const groups = new Map<string, { by: G; keys: K[] }>();
  for (const key of keys) {
    const g = groupOf(key);
    if (!groups.has(g)) groups.set(g, { by: sample(key), keys: [] });
    groups.get(g)!.keys.push(key);
  }
  return [...groups.values()];
}

function rowLoader<T>(
  fetch: (tenantId: string, ids: readonly string[]) => Promise<T[]>,
  idOf: (row: T) => string,
) {
  return new DataLoader<RowKey, T | null, string>(
    async (keys) => {
      const found = new Map<string, T>();
      for (const { by, keys: group } of grouped(
        keys,
        (k) => k.tenantId,
        (k) => k.tenantId,
      )) {
        for (const row of await fetch(by, [...new Set(group.map((k) => k.id))]))
          found.set(`${by}/${idOf(row)}`, row);
      }
      return keys.map((k) => found.get(`${k.tenantId}/${k.id}`) ?? null);
    },
    { cacheKeyFn: (k) => `${k.tenantId}/${k.id}` },
  );
}

/** Rows that belong to a parent, all of them (bindings) or one page per parent. */
function childLoader<K extends { tenantId: string }, T>(
  fetch: (key: K, parentIds: readonly string[]) => Promise<T[]>,
  parentOf: (row: T) => string | null,
  parentIdOf: (key: K) => string,
  groupOf: (key: K) => string,
) {
  return new DataLoader<K, T[], string>(
    async (keys) => {
      const children = new Map<string, T[]>();
      for (const { by, keys: group } of grouped(keys, groupOf, (k) => k)) {
        const gid = groupOf(by);
        for (const row of await fetch(by, [...new Set(group.map(parentIdOf))])) {
          const id = `${gid}/${parentOf(row)}`;
          children.set(id, [...(children.get(id) ?? []), row]);
        }
      }
      return keys.map((k) => children.get(`${groupOf(k)}/${parentIdOf(k)}`) ?? []);
    },
    { cacheKeyFn: (k) => `${groupOf(k)}/${parentIdOf(k)}` },
  );
}

const pageGroup = (k: ChildPageKey) => `${k.tenantId}/${k.page.first}/${k.page.after ?? ''}`;

function createLoaders(database: Database) {
  return {
    customer: rowLoader<CustomerRow>(
      (t, ids) => customersByIds(database, t, ids),
      (r) => r.customerId,
    ),
    site: rowLoader<SiteRow>(
      (t, ids) => sitesByIds(database, t, ids),
      (r) => r.siteId,
    ),
    asset: rowLoader<AssetRow>(
      (t, ids) => assetsByIds(database, t, ids),
      (r) => r.assetId,
    ),
    device: rowLoader<DeviceTwinState>(
      (t, ids) => devicesByIds(database, t, ids),
      (s) => s.deviceId,
    ),
    provisioned: rowLoader<{ deviceId: string }>(
      (t, ids) => provisionedDevices(database, t, ids),
      (r) => r.deviceId,
    ),
    bindings: childLoader<RowKey, AssetBindingRow>(
      (k, ids) => bindingsOfAssets(database, k.tenantId, ids),
      (r) => r.assetId,
      (k) => k.id,
      (k) => k.tenantId,
    ),
    sitesOfCustomer: childLoader<ChildPageKey, SiteRow>(
      (k, ids) => sitePagesOfCustomers(database, k.tenantId, ids, k.page),
      (r) => r.customerId,
      (k) => k.parentId,
      pageGroup,
    ),
    assetsOfSite: childLoader<ChildPageKey, AssetRow>(
      (k, ids) => assetPagesOfSites(database, k.tenantId, ids, k.page),
      (r) => r.siteId,
      (k) => k.parentId,
      pageGroup,
    ),
    devicesOfSite: childLoader<ChildPageKey, DeviceTwinState>(
      (k, ids) => devicePagesOfSites(database, k.tenantId, ids, k.page),
      (s) => s.binding?.siteId ?? null,
      (k) => k.parentId,
      pageGroup,
    ),
  };
}

export type GraphLoaders = ReturnType<typeof createLoaders>;

// Yoga builds a fresh context object per request (and per subscription), so loaders keyed
// by it batch and cache within one request and never serve another request stale rows.
const perRequest = new WeakMap<object, GraphLoaders>();

/** The DataLoaders of the request whose context this is. */
export function loadersOf(context: { database: Database }): GraphLoaders {
  let loaders = perRequest.get(context);
  if (!loaders) perRequest.set(context, (loaders = createLoaders(context.database)));
  return loaders;
}

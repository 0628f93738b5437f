import type { ApiContext } from '../resolvers';
import type { NodeRef } from './global-id';
import { loadersOf } from './loaders';
import { assetView, customerView, deviceNode, siteView } from './views';

// Single nodes through the request's DataLoaders: however many resolvers ask, one query
// per kind of node and level of the query.

export async function loadCustomer(ctx: ApiContext, tenantId: string, id: string | null) {
  if (!id) return null;
  const row = await loadersOf(ctx).customer.load({ tenantId, id });
  return row && customerView(row);
}

export async function loadSite(ctx: ApiContext, tenantId: string, id: string | null) {
  if (!id) return null;
  const row = await loadersOf(ctx).site.load({ tenantId, id });
  return row && siteView(row);
}

export async function loadAsset(ctx: ApiContext, tenantId: string, id: string | null) {
  if (!id) return null;
  const row = await loadersOf(ctx).asset.load({ tenantId, id });
  return row && assetView(row);
}

export async function loadDevice(ctx: ApiContext, tenantId: string, id: string | null) {
  if (!id) return null;
  const state = await loadersOf(ctx).device.load({ tenantId, id });
  return state && deviceNode(state);
}

export function loadNode(ctx: ApiContext, ref: NodeRef) {
  const load = { Customer: loadCustomer, Site: loadSite, Asset: loadAsset, Device: loadDevice };
  return load[ref.type](ctx, ref.tenantId, ref.id);
}

import { countOf } from '../../../db/graph-pages';
import type { DeviceTwinState } from '../../../twins/device';
import type { ApiContext } from '../resolvers';
import { connection, pageRequest, type PageArgs } from './connection';
import { globalId } from './global-id';
import { loadAsset, loadCustomer, loadDevice, loadSite } from './load';
import { loadersOf } from './loaders';
import {
  assetView,
  bindingView,
  deviceNode,
  siteView,
  type AssetView,
  type BindingView,
  type CustomerView,
  type SiteView,
} from './views';

/** The edges of the twin graph, both ways; every hop goes through the request's loaders. */
export const graphEdgeResolvers = {
  Customer: {
    sites: async (customer: CustomerView, args: PageArgs, ctx: ApiContext) => {
      const { tenantId, customerId } = customer;
      const page = pageRequest(args);
      const rows = await loadersOf(ctx).sitesOfCustomer.load({
        tenantId,
        parentId: customerId,
        page,
      });
      return connection(
        rows,
        page,
        (r) => r.siteId,
        siteView,
        () => countOf(ctx.database, 'sites', tenantId, { customerId }),
      );
    },
  },
  Site: {
    customer: (site: SiteView, _: unknown, ctx: ApiContext) =>
      loadCustomer(ctx, site.tenantId, site.customerId),
    assets: async (site: SiteView, args: PageArgs, ctx: ApiContext) => {
      const { tenantId, siteId } = site;
      const page = pageRequest(args);
      const rows = await loadersOf(ctx).assetsOfSite.load({ tenantId, parentId: siteId, page });
      return connection(
        rows,
        page,
        (r) => r.assetId,
        assetView,
        () => countOf(ctx.database, 'assets', tenantId, { siteId }),
      );
    },
    devices: async (site: SiteView, args: PageArgs, ctx: ApiContext) => {
      const { tenantId, siteId } = site;
      const page = pageRequest(args);
      const rows = await loadersOf(ctx).devicesOfSite.load({ tenantId, parentId: siteId, page });
      return connection(
        rows,
        page,
        (s) => s.deviceId,
        deviceNode,
        () => countOf(ctx.database, 'devices', tenantId, { siteId }),
      );
    },
  },
  Asset: {
    site: (asset: AssetView, _: unknown, ctx: ApiContext) =>
      loadSite(ctx, asset.tenantId, asset.siteId),
    customer: (asset: AssetView, _: unknown, ctx: ApiContext) =>
      loadCustomer(ctx, asset.tenantId, asset.customerId),
    device: (asset: AssetView, _: unknown, ctx: ApiContext) =>
      loadDevice(ctx, asset.tenantId, asset.currentDeviceId),
    bindingHistory: async (asset: AssetView, _: unknown, ctx: ApiContext) =>
      (await loadersOf(ctx).bindings.load({ tenantId: asset.tenantId, id: asset.assetId })).map(
        bindingView,
      ),
  },
  BindingPeriod: {
    device: (period: BindingView, _: unknown, ctx: ApiContext) =>
      loadDevice(ctx, period.tenantId, period.deviceId),
  },
  // Device objects are device views (device-view.ts): the twin state, spread, with its binding.
  Device: {
    id: (device: DeviceTwinState) => globalId('Device', device.tenantId, device.deviceId),
    serial: async (device: DeviceTwinState, _: unknown, ctx: ApiContext) => {
      const key = { tenantId: device.tenantId, id: device.deviceId };
      return (await loadersOf(ctx).provisioned.load(key)) ? device.deviceId : null;
    },
    asset: (device: DeviceTwinState, _: unknown, ctx: ApiContext) =>
      loadAsset(ctx, device.tenantId, device.binding?.assetId ?? null),
    site: (device: DeviceTwinState, _: unknown, ctx: ApiContext) =>
      loadSite(ctx, device.tenantId, device.binding?.siteId ?? null),
    customer: (device: DeviceTwinState, _: unknown, ctx: ApiContext) =>
      loadCustomer(ctx, device.tenantId, device.binding?.customerId ?? null),
  },
};

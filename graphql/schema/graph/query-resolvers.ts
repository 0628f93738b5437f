import { fleetSummary } from '../../../db/fleet-summary';
import { assetPage, countOf, customerPage, devicePage, sitePage } from '../../../db/graph-pages';
import type { ApiContext } from '../resolvers';
import { connection, pageRequest, type PageArgs } from './connection';
import { parseGlobalId } from './global-id';
import {
  assetFilter,
  deviceFilter,
  siteFilter,
  type AssetFilterInput,
  type DeviceFilterInput,
} from './input';
import { loadAsset, loadCustomer, loadNode, loadSite } from './load';
import { assetView, customerView, deviceNode, siteView } from './views';

type Tenant = { tenantId: string };
const upper = (value: string) => value.toUpperCase().replace(/-/g, '_');

export const graphQueryResolvers = {
  Node: {
    __resolveType: (node: { __typename: string }) => node.__typename,
  },
  Query: {
    node: (_: unknown, args: { id: string }, ctx: ApiContext) =>
      loadNode(ctx, parseGlobalId(args.id)),
    customer: (_: unknown, args: Tenant & { customerId: string }, ctx: ApiContext) =>
      loadCustomer(ctx, args.tenantId, args.customerId),
    site: (_: unknown, args: Tenant & { siteId: string }, ctx: ApiContext) =>
      loadSite(ctx, args.tenantId, args.siteId),
    asset: (_: unknown, args: Tenant & { assetId: string }, ctx: ApiContext) =>
      loadAsset(ctx, args.tenantId, args.assetId),

    devices: async (
      _: unknown,
      args: Tenant & PageArgs & { filter?: DeviceFilterInput | null },
      ctx: ApiContext,
    ) => {
      const page = pageRequest(args);
      const filter = deviceFilter(args.filter);
      const rows = await devicePage(ctx.database, args.tenantId, filter, page);
      return connection(
        rows,
        page,
        (s) => s.deviceId,
        deviceNode,
        () => countOf(ctx.database, 'devices', args.tenantId, filter),
      );
    },
    assets: async (
      _: unknown,
      args: Tenant & PageArgs & { filter?: AssetFilterInput | null },
      ctx: ApiContext,
    ) => {
      const page = pageRequest(args);
      const filter = assetFilter(args.filter);
      const rows = await assetPage(ctx.database, args.tenantId, filter, page);
      return connection(
        rows,
        page,
        (r) => r.assetId,
        assetView,
        () => countOf(ctx.database, 'assets', args.tenantId, filter),
      );
    },
    sites: async (
      _: unknown,
      args: Tenant & PageArgs & { filter?: { customerId?: string | null; tag?: string | null } },
      ctx: ApiContext,
    ) => {
      const page = pageRequest(args);
      const filter = siteFilter(args.filter);
      const rows = await sitePage(ctx.database, args.tenantId, filter, page);
      return connection(
        rows,
        page,
        (r) => r.siteId,
        siteView,
        () => countOf(ctx.database, 'sites', args.tenantId, filter),
      );
    },
    customers: async (_: unknown, args: Tenant & PageArgs, ctx: ApiContext) => {
      const page = pageRequest(args);
      const rows = await customerPage(ctx.database, args.tenantId, page);
      return connection(
        rows,
        page,
        (r) => r.customerId,
        customerView,
        () => countOf(ctx.database, 'customers', args.tenantId),
      );
    },

    fleetSummary: async (
      _: unknown,
      args: Tenant & { siteId?: string | null; customerId?: string | null },
      ctx: ApiContext,
    ) => {
      const summary = await fleetSummary(ctx.database, args.tenantId, {
        ...(args.siteId ? { siteId: args.siteId } : {}),
        ...(args.customerId ? { customerId: args.customerId } : {}),
      });
      return {
        ...summary,
        byLifecycle: summary.byLifecycle.map((c) => ({
          lifecycle: upper(c.value),
          count: c.count,
        })),
        byConnectivity: summary.byConnectivity.map((c) => ({
          status: upper(c.value),
          count: c.count,
        })),
      };
    },
  },
};

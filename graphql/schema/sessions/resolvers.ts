import {
  getSessionRecord,
  listSessionRecords,
  sessionRecordTotals,
  type SessionRecordFilter,
  type SessionRecordRow,
} from '../../../db/session-record-reader';
import type { DeviceTwinState } from '../../../twins/device';
import { paginationIssues } from '../../../twins/sessions';
import { roundSignificant } from '../../../twins/profiles';
import { apiError } from '../../errors';
import { connection, pageRequest, type PageArgs } from '../graph/connection';
import { loadAsset, loadDevice, loadSite } from '../graph/load';
import type { AssetView, SiteView } from '../graph/views';
import type { ApiContext } from '../resolvers';

/** The filter as GraphQL hands it over (DateTime inputs arrive as Date objects). */
interface FilterArgs {
  deviceId?: string | null;
  siteId?: string | null;
  assetId?: string | null;
  from?: Date | null;
  to?: Date | null;
  flagged?: boolean | null;
}

type ListArgs = PageArgs & { filter?: FilterArgs | null };

const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());

/** A record id (also a cursor's content) is a positive integer; anything else names nothing. */
const recordId = (value: string, code: string) => {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < 1) throw apiError(code, `${value} is not a record id`);
  return id;
};

function recordView(row: SessionRecordRow) {
  return {
    ...row,
    id: String(row.id),
    startedAt: iso(row.startedAt),
    stoppedAt: iso(row.stoppedAt),
    recordedAt: iso(row.recordedAt),
    notes: row.notes.map((n) => ({ ...n, firstAt: iso(n.firstAt), lastAt: iso(n.lastAt) })),
    paginationIssues: () => paginationIssues(row.signedMeterData),
  };
}
type RecordView = ReturnType<typeof recordView>;

/** A page of a tenant's records, narrowed by `fixed` (the twin it hangs off) and the filter. */
async function sessionRecordPage(
  ctx: ApiContext,
  tenantId: string,
  args: ListArgs,
  fixed: SessionRecordFilter = {},
) {
  const page = pageRequest(args);
  const f = args.filter ?? {};
  const filter: SessionRecordFilter = {
    ...f,
    from: f.from ? f.from.toISOString() : null,
    to: f.to ? f.to.toISOString() : null,
    ...fixed,
  };
  const after = page.after === null ? null : recordId(page.after, 'api:input.invalid-cursor');
  const rows = await listSessionRecords(ctx.database, tenantId, filter, {
    first: page.first,
    after,
  });
  let totals: Promise<{ count: number; energyKWh: number }> | undefined;
  const totalsOnce = () => (totals ??= sessionRecordTotals(ctx.database, tenantId, filter));
  return {
    ...connection(
      rows,
      page,
      (r) => String(r.id),
      recordView,
      async () => (await totalsOnce()).count,
    ),
    totalEnergyKWh: async () => roundSignificant((await totalsOnce()).energyKWh),
  };
}

export const sessionRecordResolvers = {
  Query: {
    sessionRecords: (_: unknown, args: ListArgs & { tenantId: string }, ctx: ApiContext) =>
      sessionRecordPage(ctx, args.tenantId, args),
    sessionRecord: async (_: unknown, args: { tenantId: string; id: string }, ctx: ApiContext) => {
      const id = Number(args.id);
      // An id that is not a record's names nothing, like another tenant's record.
      if (!Number.isSafeInteger(id) || id < 1) return null;
      const row = await getSessionRecord(ctx.database, args.tenantId, id);
      return row && recordView(row);
    },
  },
  SessionRecord: {
    device: (r: RecordView, _: unknown, ctx: ApiContext) => loadDevice(ctx, r.tenantId, r.deviceId),
    site: (r: RecordView, _: unknown, ctx: ApiContext) => loadSite(ctx, r.tenantId, r.siteId),
    asset: (r: RecordView, _: unknown, ctx: ApiContext) => loadAsset(ctx, r.tenantId, r.assetId),
  },
  Device: {
    sessionRecords: (device: DeviceTwinState, args: ListArgs, ctx: ApiContext) =>
      sessionRecordPage(ctx, device.tenantId, args, { deviceId: device.deviceId }),
  },
  Asset: {
    sessionRecords: (asset: AssetView, args: ListArgs, ctx: ApiContext) =>
      sessionRecordPage(ctx, asset.tenantId, args, { assetId: asset.assetId }),
  },
  Site: {
    sessionRecords: (site: SiteView, args: ListArgs, ctx: ApiContext) =>
      sessionRecordPage(ctx, site.tenantId, args, { siteId: site.siteId }),
  },
};

import {
  countConnections,
  countReconnects,
  lastConnection,
  listConnections,
  uptimeSeconds,
  type ConnectionRow,
} from '../../../db/connection-history';
import { findDeviceTwin } from '../../../db/device-projection';
import { findLoginRefusals } from '../../../db/login-refusals';
import { findProvisioning } from '../../../db/provisioning-store';
import type { DeviceTwinState } from '../../../twins/device';
import type { DeviceKey } from '../../../twins/ids';
import { apiError } from '../../errors';
import { connection, pageRequest, type PageArgs } from '../graph/connection';
import type { ApiContext } from '../resolvers';
import { whyOffline } from './why-offline';

const upper = (value: string) => value.toUpperCase().replace(/-/g, '_');

const END_REASONS: Readonly<Record<string, string>> = {
  disconnected: 'DEVICE_CLOSED',
  'replaced-by-new-session': 'REPLACED_BY_NEW_CONNECTION',
};

function connectionView(row: ConnectionRow) {
  return {
    ...row,
    disconnectReason:
      row.closeReason === null ? null : (END_REASONS[row.closeReason] ?? upper(row.closeReason)),
  };
}

/** A cursor's content: the connection's start and session id (the listing's order). */
function afterOf(cursor: string | null) {
  if (cursor === null) return null;
  const [connectedAt, sessionId] = cursor.split('|');
  if (!connectedAt || !sessionId || Number.isNaN(Date.parse(connectedAt)))
    throw apiError('api:input.invalid-cursor', `${cursor} is not a cursor of this listing`);
  return { connectedAt, sessionId };
}

/** A period [from, to) with `to` defaulting to now; refused when it is empty or reversed. */
function period(args: { from: Date; to?: Date | null }) {
  const to = args.to ?? new Date();
  if (to.getTime() <= args.from.getTime())
    throw apiError('api:input.invalid-period', 'to must be after from');
  return { from: args.from.toISOString(), to: to.toISOString() };
}

async function explain(ctx: ApiContext, key: DeviceKey, state: DeviceTwinState | null) {
  if (!state) {
    const p = await findProvisioning(ctx.database, key);
    return whyOffline(null, {
      lastCloseReason: null,
      refusals: null,
      provisioning: p && { status: p.status, reason: p.reason },
    });
  }
  const [last, refusals] = await Promise.all([
    lastConnection(ctx.database, key),
    findLoginRefusals(ctx.database, key.tenantId, key.deviceId),
  ]);
  return whyOffline(state, { lastCloseReason: last?.closeReason ?? null, refusals });
}

function whyOfflineView(answer: ReturnType<typeof whyOffline>) {
  return answer && { ...answer, reason: upper(answer.reason) };
}

export const connectivityResolvers = {
  Query: {
    whyOffline: async (_: unknown, args: DeviceKey, ctx: ApiContext) => {
      const key = { tenantId: args.tenantId, deviceId: args.deviceId };
      return whyOfflineView(await explain(ctx, key, await findDeviceTwin(ctx.database, key)));
    },
  },
  Device: {
    connectivityHistory: async (
      device: DeviceTwinState,
      args: PageArgs & { from?: Date | null; to?: Date | null },
      ctx: ApiContext,
    ) => {
      const page = pageRequest(args);
      const range = {
        from: args.from ? args.from.toISOString() : null,
        to: args.to ? args.to.toISOString() : null,
      };
      const rows = await listConnections(ctx.database, device, {
        ...range,
        first: page.first,
        after: afterOf(page.after),
      });
      return connection(
        rows,
        page,
        (r) => `${r.connectedAt}|${r.sessionId}`,
        connectionView,
        () => countConnections(ctx.database, device, range),
      );
    },
    reconnects: (
      device: DeviceTwinState,
      args: { from: Date; to?: Date | null },
      ctx: ApiContext,
    ) => countReconnects(ctx.database, device, period(args)),
    uptime: async (
      device: DeviceTwinState,
      args: { from: Date; to?: Date | null },
      ctx: ApiContext,
    ) => {
      const range = period(args);
      const s = await uptimeSeconds(ctx.database, device, range);
      const counted = s.period - s.maintenance;
      const to = new Date(Math.min(Date.parse(range.to), Date.now())).toISOString();
      return {
        from: range.from,
        to,
        // Rounded to 1e-6 %: the sums of spans are floats.
        percentage: counted > 0 ? Math.round(Math.min(1, s.online / counted) * 1e8) / 1e6 : null,
        periodSeconds: s.period,
        maintenanceSeconds: s.maintenance,
        onlineSeconds: s.online,
      };
    },
    // The parent is the API's view of the record (upper-case states): read the record itself.
    whyOffline: async (device: DeviceTwinState, _: unknown, ctx: ApiContext) =>
      whyOfflineView(await explain(ctx, device, await findDeviceTwin(ctx.database, device))),
    loginRefusals: (device: DeviceTwinState, _: unknown, ctx: ApiContext) =>
      findLoginRefusals(ctx.database, device.tenantId, device.deviceId),
  },
};

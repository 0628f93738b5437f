import {
  createLogRequest,
  findLogRequests,
  findUpload,
  searchLogLines,
  searchUploads,
  setLogRequestStatus,
  type LogFilter,
  type LogLevel,
  type LogRequest,
  type LogUpload,
  type StoredLogLine,
} from '../../../db/device-logs';
import { findDeviceTwin } from '../../../db/device-projection';
import { getLogParams, GET_LOG } from '../../../twins/commands/get-log';
import type { DeviceTwinState } from '../../../twins/device';
import type { DeviceKey } from '../../../twins/ids';
import { sendCommandUpdate } from '../../../workflows/device-twin/messages';
import { apiError } from '../../errors';
import { connection, pageRequest, type PageArgs } from '../graph/connection';
import { updateTwin, type ApiContext } from '../resolvers';

/** Where the API serves an upload's bytes (graphql/log-download.ts). */
export const DOWNLOAD_PATH = '/log-uploads';

type LevelEnum = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
interface FilterArgs {
  from?: Date | null;
  to?: Date | null;
  level?: LevelEnum | null;
  text?: string | null;
}
interface UploadFilterArgs {
  from?: Date | null;
  to?: Date | null;
  name?: string | null;
}

const logFilter = (f: FilterArgs | null | undefined): LogFilter => ({
  from: f?.from?.toISOString() ?? null,
  to: f?.to?.toISOString() ?? null,
  level: f?.level ? (f.level.toLowerCase() as LogLevel) : null,
  text: f?.text ?? null,
});

const lineView = (l: StoredLogLine) => ({ ...l, level: l.level.toUpperCase() });

const uploadView = (u: LogUpload) => ({
  ...u,
  downloadPath: `${DOWNLOAD_PATH}/${encodeURIComponent(u.tenantId)}/${encodeURIComponent(u.id)}`,
});

async function logLines(
  ctx: ApiContext,
  key: DeviceKey,
  args: PageArgs & { filter?: FilterArgs | null; newerThan?: string | null },
) {
  const page = pageRequest(args);
  if (args.newerThan !== undefined && args.newerThan !== null && !/^\d+$/.test(args.newerThan))
    throw apiError('api:input.invalid-id', 'newerThan must be a log line id');
  const rows = await searchLogLines(ctx.database, key, logFilter(args.filter), {
    limit: page.first + 1,
    ...(page.after ? { before: page.after } : {}),
    ...(args.newerThan ? { newerThan: args.newerThan } : {}),
  });
  // Lines are listed without a count (a device may have millions).
  return connection(
    rows,
    page,
    (l) => l.id,
    lineView,
    async () => 0,
  );
}

function uploadLimit(first: number | null | undefined): number {
  const n = first ?? 50;
  if (!Number.isInteger(n) || n < 1 || n > 500)
    throw apiError('api:input.invalid-page-size', `first must be between 1 and 500, got ${n}`);
  return n;
}

const uploadFilter = (f: UploadFilterArgs | null | undefined) => ({
  from: f?.from?.toISOString() ?? null,
  to: f?.to?.toISOString() ?? null,
  name: f?.name ?? null,
});

const keyOf = (args: { tenantId: string; deviceId: string }): DeviceKey => ({
  tenantId: args.tenantId,
  deviceId: args.deviceId,
});

export const deviceLogResolvers = {
  Device: {
    logs: (device: DeviceTwinState, args: PageArgs & { filter?: FilterArgs }, ctx: ApiContext) =>
      logLines(ctx, device, args),
    logUploads: async (
      device: DeviceTwinState,
      args: { filter?: UploadFilterArgs; first?: number },
      ctx: ApiContext,
    ) =>
      (
        await searchUploads(
          ctx.database,
          device,
          uploadFilter(args.filter),
          uploadLimit(args.first),
        )
      ).map(uploadView),
  },
  LogRequest: {
    upload: async (request: LogRequest, _: unknown, ctx: ApiContext) => {
      const upload = await findUpload(ctx.database, request.tenantId, { requestId: request.id });
      return upload ? uploadView(upload) : null;
    },
  },
  Query: {
    deviceLogs: (
      _: unknown,
      args: DeviceKey & PageArgs & { filter?: FilterArgs; newerThan?: string | null },
      ctx: ApiContext,
    ) => logLines(ctx, keyOf(args), args),
    logUploads: async (
      _: unknown,
      args: DeviceKey & { filter?: UploadFilterArgs; first?: number },
      ctx: ApiContext,
    ) =>
      (
        await searchUploads(
          ctx.database,
          keyOf(args),
          uploadFilter(args.filter),
          uploadLimit(args.first),
        )
      ).map(uploadView),
    logRequests: (_: unknown, args: DeviceKey & { first?: number }, ctx: ApiContext) =>
      findLogRequests(ctx.database, keyOf(args), uploadLimit(args.first)),
  },
  Mutation: {
    requestDeviceLog: async (
      _: unknown,
      args: DeviceKey & { from?: Date | null; to?: Date | null; ttlSeconds?: number | null },
      ctx: ApiContext,
    ) => {
      if (!ctx.deviceUploadUrl)
        throw apiError(
          'api:logs.no-upload-url',
          'this API does not know where devices upload files: set DEVICE_UPLOAD_URL to the gateway URL devices reach (e.g. https://gw.example.com)',
        );
      const ttlSeconds = args.ttlSeconds ?? 3600;
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > 7 * 86_400)
        throw apiError('api:input.out-of-range', 'ttlSeconds must be between 60 and 604800');
      if (args.from && args.to && args.to.getTime() < args.from.getTime())
        throw apiError('api:input.invalid-period', 'to must not be before from');
      const key = keyOf(args);
      // No request (and no token) for a device that does not exist.
      if (!(await findDeviceTwin(ctx.database, key)))
        throw apiError('twin:device.not-found', `device ${key.deviceId} does not exist`);
      const from = args.from?.toISOString() ?? null;
      const to = args.to?.toISOString() ?? null;
      const { request, token } = await createLogRequest(ctx.database, key, {
        from,
        to,
        ttlMs: ttlSeconds * 1000,
        requestedBy: ctx.principal.actor,
      });
      const location = `${ctx.deviceUploadUrl.replace(/\/+$/, '')}/uploads/${token}`;
      await updateTwin(ctx, key, (handle) =>
        handle.executeUpdate(sendCommandUpdate, {
          args: [
            {
              actor: ctx.principal.actor,
              id: `log:${request.id}`,
              name: GET_LOG,
              params: getLogParams({
                location,
                requestNumber: request.requestNumber,
                ...(from ? { from } : {}),
                ...(to ? { to } : {}),
              }),
              ttlMs: ttlSeconds * 1000,
            },
          ],
        }),
      );
      await setLogRequestStatus(ctx.database, request.id, 'sent');
      return { ...request, status: 'sent' };
    },
  },
};

import type { OutboxFilter } from '../../../db/outbox-filter';
import type { OutboxEntry } from '../../../db/outbox-reader';
import type { AssetTwinState } from '../../../twins/asset';
import type { DeviceEvent, DeviceTwinState } from '../../../twins/device';
import { deviceView, lifecycleChangeView } from '../device-view';
import { requireId } from '../graph/input';
import { assetView } from '../graph/views';
import type { ApiContext } from '../resolvers';
import { kindsFilter } from './kinds';
import { openOutboxStream, unlessFailed, type StreamItem } from './outbox-stream';

interface ChangeArgs {
  tenantId: string;
  deviceId?: string | null;
  assetId?: string | null;
  siteId?: string | null;
  kinds?: string[] | null;
  after?: string | null;
}

const optionalId = (name: string, value: string | null | undefined) => {
  if (value === null || value === undefined) return undefined;
  requireId(name, value);
  return value;
};

function filterOf(type: 'device' | 'asset', args: ChangeArgs, kinds?: string[]): OutboxFilter {
  requireId('tenantId', args.tenantId);
  return {
    tenantId: args.tenantId,
    aggregateType: type,
    aggregateId: optionalId(
      type === 'device' ? 'deviceId' : 'assetId',
      type === 'device' ? args.deviceId : args.assetId,
    ),
    siteId: optionalId('siteId', args.siteId),
    kinds: kinds ?? kindsFilter(type, args.kinds),
  };
}

const change = (e: OutboxEntry) => ({
  cursor: String(e.id),
  kind: e.kind,
  version: e.version,
  occurredAt: e.occurredAt,
});

function assetOf(state: AssetTwinState) {
  return assetView({
    ...state,
    attributes: { ...state.attributes },
    tags: [...state.tags],
    currentDeviceId: state.device?.deviceId ?? null,
    state,
    createdAt: state.createdAt ?? new Date(0).toISOString(),
    updatedAt: state.updatedAt ?? new Date(0).toISOString(),
  });
}

export const changeResolvers = {
  Subscription: {
    deviceChanged: {
      subscribe: (_: unknown, args: ChangeArgs, ctx: ApiContext) =>
        openOutboxStream(ctx, filterOf('device', args), args.after),
      resolve: (item: StreamItem) =>
        unlessFailed(item, (e) => ({
          ...change(e),
          device: deviceView(e.state as DeviceTwinState),
        })),
    },
    lifecycleChanged: {
      subscribe: (_: unknown, args: ChangeArgs, ctx: ApiContext) =>
        openOutboxStream(ctx, filterOf('device', args, ['lifecycle-changed']), args.after),
      resolve: (item: StreamItem) =>
        unlessFailed(item, (e) => {
          const event = e.event as Extract<DeviceEvent, { type: 'lifecycle-changed' }>;
          return {
            ...lifecycleChangeView({
              ...event,
              fromState: event.from,
              toState: event.to,
              effects: [...event.effects],
              version: e.version,
            }),
            cursor: String(e.id),
            tenantId: e.tenantId,
            deviceId: e.aggregateId,
            device: deviceView(e.state as DeviceTwinState),
          };
        }),
    },
    assetChanged: {
      subscribe: (_: unknown, args: ChangeArgs, ctx: ApiContext) =>
        openOutboxStream(ctx, filterOf('asset', args), args.after),
      resolve: (item: StreamItem) =>
        unlessFailed(item, (e) => ({
          ...change(e),
          asset: assetOf(e.state as AssetTwinState),
        })),
    },
  },
};

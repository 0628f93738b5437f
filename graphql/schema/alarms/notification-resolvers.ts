import { randomBytes } from 'node:crypto';
import {
  changeChannel,
  createChannel,
  findChannel,
  listChannels,
  type StoredChannel,
} from '../../../db/notification-channel-store';
import {
  ALARM_EVENT_KINDS,
  alarmRoutingSchema,
  notificationChannelSchema,
  type AlarmEventState,
  type AlarmRouting,
  type NotificationChannel,
} from '../../../twins/alarms/notification-channel';
import { parsedOrRefused, refusedAs } from './refusals';
import { openOutboxStream, unlessFailed, type StreamItem } from '../changes/outbox-stream';
import { requireId } from '../graph/input';
import { requireReachable } from '../reachable';
import type { ApiContext } from '../resolvers';

function parseChannel(ctx: ApiContext, json: unknown): NotificationChannel {
  const channel = parsedOrRefused(
    notificationChannelSchema,
    json,
    'notification-channel.invalid',
    'notification channel',
  );
  if (channel.kind === 'webhook') requireReachable(ctx, channel.url);
  return channel;
}

/** A Standard Webhooks signing key: `whsec_` and 32 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

type ChannelArgs = { tenantId: string; channelId: string };

function channelChange(ctx: ApiContext, args: ChannelArgs) {
  requireId('tenantId', args.tenantId);
  requireId('channelId', args.channelId);
  return {
    tenantId: args.tenantId,
    channelId: args.channelId,
    actor: ctx.principal.actor,
    role: ctx.principal.role,
  };
}

const channelView = (s: StoredChannel) => ({
  ...s,
  kind: s.channel.kind,
  name: s.channel.name,
  enabled: s.channel.enabled,
});

export const alarmNotificationResolvers = {
  Query: {
    notificationChannels: async (_: unknown, args: { tenantId: string }, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      return (await listChannels(ctx.database, args.tenantId)).map(channelView);
    },
    notificationChannel: async (_: unknown, args: ChannelArgs, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      requireId('channelId', args.channelId);
      const found = await findChannel(ctx.database, args.tenantId, args.channelId);
      return found && channelView(found);
    },
  },
  Mutation: {
    createNotificationChannel: (
      _: unknown,
      args: ChannelArgs & { channel: unknown },
      ctx: ApiContext,
    ) => {
      const change = channelChange(ctx, args);
      const channel = parseChannel(ctx, args.channel);
      const secret = channel.kind === 'webhook' ? newSecret() : null;
      return refusedAs(async () => ({
        channel: channelView(await createChannel(ctx.database, change, channel, secret)),
        secret,
      }));
    },
    updateNotificationChannel: (
      _: unknown,
      args: ChannelArgs & { version: number; channel: unknown },
      ctx: ApiContext,
    ) => {
      const change = channelChange(ctx, args);
      const channel = parseChannel(ctx, args.channel);
      return refusedAs(async () => {
        const done = await changeChannel(ctx.database, change, args.version, channel, newSecret());
        return { channel: channelView(done.stored!), secret: done.secret };
      });
    },
    deleteNotificationChannel: (
      _: unknown,
      args: ChannelArgs & { version: number },
      ctx: ApiContext,
    ) => {
      const change = channelChange(ctx, args);
      return refusedAs(async () => {
        const done = await changeChannel(ctx.database, change, args.version, null, null);
        return { channelId: args.channelId, version: done.version };
      });
    },
  },
  Subscription: {
    alarmEvents: {
      subscribe: (
        _: unknown,
        args: { tenantId: string; filter?: unknown; after?: string | null },
        ctx: ApiContext,
      ) => {
        requireId('tenantId', args.tenantId);
        const routing: AlarmRouting = parsedOrRefused(
          alarmRoutingSchema,
          args.filter ?? {},
          'alarm-events.filter-invalid',
          'alarm event filter',
        );
        return openOutboxStream(
          ctx,
          {
            tenantId: args.tenantId,
            aggregateType: 'alarm',
            // Every kind unless the filter names some (muted and unmuted included).
            alarmRouting: { ...routing, kinds: routing.kinds ?? ALL_KINDS },
          },
          args.after,
        );
      },
      resolve: (item: StreamItem) =>
        unlessFailed(item, (e) => {
          const event = e.event as { actor: string; reason?: string; from?: unknown; to?: unknown };
          const state = e.state as AlarmEventState;
          return {
            ...state,
            cursor: String(e.id),
            tenantId: e.tenantId,
            kind: e.kind,
            version: e.version,
            occurredAt: e.occurredAt,
            actor: event.actor,
            reason: event.reason ?? null,
            from: event.from ?? null,
            to: event.to ?? null,
          };
        }),
    },
  },
};

const ALL_KINDS = [...ALARM_EVENT_KINDS];

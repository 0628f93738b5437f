import type { TransactionSql } from 'postgres';
import {
  routes,
  type AlarmEvent,
  type AlarmEventState,
  type NotificationChannel,
} from '../twins/alarms/notification-channel';
import type { Database } from './client';
import { alarmStateOf } from './alarm-events';

// The notifier's side of the notification tables (docs/alarms.md, "Notifications"): events
// routed from the outbox to channels, reminders and digests scheduled, due notifications
// claimed for a lease and marked sent or failed. Every step is a statement or a short
// transaction that several workers can run at once; the unique key (channel, alarm,
// transition) makes each notification exist once whoever scheduled it, and a worker that
// dies mid-send leaves its claim to expire (sent again: at least once, same id).

interface ChannelRow {
  tenant_id: string;
  channel_id: string;
  definition: NotificationChannel;
  secret: string | null;
  digest_at: string | null;
  created_at: string;
}

/** What a notification carries: the event and the alarm as it stood (or the reminder). */
export interface NotificationPayload {
  readonly event: AlarmEvent | { type: 'reminder'; at: string; actor: 'doppel'; n: number };
  readonly alarm: AlarmEventState | Omit<AlarmEventState, 'version'>;
}

const channelsOf = (tx: TransactionSql, tenants: readonly string[]) =>
  tx<ChannelRow[]>`
    select tenant_id, channel_id, definition, secret, digest_at, created_at
    from notification_channels
    where tenant_id in ${tx(tenants)} and not deleted
      and coalesce((definition ->> 'enabled')::boolean, true)`;

async function insertNotifications(
  tx: TransactionSql,
  rows: ReadonlyArray<{
    tenant_id: string;
    channel_id: string;
    alarm_id: string;
    transition: string;
    event: NotificationPayload;
    status: 'pending' | 'held';
  }>,
): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await tx`
    insert into alarm_notifications (tenant_id, channel_id, alarm_id, transition, event, status,
      next_attempt_at, created_at)
    select tenant_id, channel_id, alarm_id, transition, event, status, now(), now()
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as r(tenant_id text, channel_id text, alarm_id bigint, transition text, event jsonb,
        status text)
    on conflict (tenant_id, channel_id, alarm_id, transition) do nothing
    returning notification_id`;
  return inserted.length;
}

const statusOf = (c: NotificationChannel) => (c.mode === 'digest' ? 'held' : 'pending');

/**
 * Routes the alarm events committed since the router's cursor to the channels that take them
 * (muted alarms to none), and moves the cursor, in one transaction (the cursor row locked: one
 * router at a time). Answers how many notifications it created.
 */
export async function routeAlarmEvents(database: Database, limit = 500): Promise<number> {
  return database.sql.begin(async (tx) => {
    // The first router starts from now: events before notifications existed are not sent.
    await tx`insert into alarm_notification_cursor (id, outbox_id)
      values (1, (select coalesce(max(id), 0) from outbox)) on conflict do nothing`;
    const [cursor] = await tx<{ outbox_id: string }[]>`
      select outbox_id from alarm_notification_cursor where id = 1 for update`;
    const from = Number(cursor!.outbox_id);
    // Every id up to the newest one seen is committed (ids commit in order, db/outbox-writer).
    const [newest] = await tx<{ max: string | null }[]>`select max(id) as max from outbox`;
    const upTo = Number(newest?.max ?? from);
    if (upTo <= from) return 0;
    const events = await tx<
      {
        id: string;
        tenant_id: string;
        aggregate_id: string;
        kind: string;
        payload: { event: AlarmEvent; state: AlarmEventState };
        occurred_at: string;
      }[]
    >`
      select id, tenant_id, aggregate_id, kind, payload, occurred_at from outbox
      where id > ${from} and id <= ${upTo} and aggregate_type = 'alarm'
      order by id limit ${limit}`;
    const next = events.length === limit ? Number(events.at(-1)!.id) : upTo;
    const rows: Parameters<typeof insertNotifications>[1][number][] = [];
    if (events.length > 0) {
      const channels = await channelsOf(tx, [...new Set(events.map((e) => e.tenant_id))]);
      for (const e of events) {
        const state = e.payload.state;
        if (state.muted) continue;
        for (const c of channels) {
          if (c.tenant_id !== e.tenant_id) continue;
          // A channel hears what happened from its creation on.
          if (Date.parse(c.created_at) > Date.parse(e.occurred_at)) continue;
          if (!routes(c.definition.routing, e.kind, state)) continue;
          rows.push({
            tenant_id: e.tenant_id,
            channel_id: c.channel_id,
            alarm_id: e.aggregate_id,
            transition: `v${state.version}`,
            event: { event: e.payload.event, alarm: state },
            status: statusOf(c.definition),
          });
        }
      }
    }
    const created = await insertNotifications(tx, rows);
    await tx`update alarm_notification_cursor set outbox_id = ${next} where id = 1`;
    return created;
  });
}

/**
 * Reminders: for each channel with `reminderEverySeconds`, every critical alarm still active,
 * unacknowledged and not muted gets reminder n once n periods have passed since it was raised
 * (`reminder:<n>`: one per period, however many workers look). Acknowledged or cleared: none.
 */
export async function scheduleReminders(database: Database): Promise<number> {
  return database.sql.begin(async (tx) => {
    const channels = (
      await tx<ChannelRow[]>`
        select tenant_id, channel_id, definition, secret, digest_at, created_at
        from notification_channels
        where not deleted and definition ? 'reminderEverySeconds'
          and coalesce((definition ->> 'enabled')::boolean, true)`
    ).filter((c) => c.definition.reminderEverySeconds !== undefined);
    if (channels.length === 0) return 0;
    const due = await tx<(Record<string, unknown> & { tenant_id: string; now: string })[]>`
      select a.*, now() as now from alarms a
      where a.tenant_id in ${tx([...new Set(channels.map((c) => c.tenant_id))])}
        and a.status = 'active' and a.severity = 'critical' and not a.acknowledged
        and not a.muted`;
    const rows: Parameters<typeof insertNotifications>[1][number][] = [];
    for (const c of channels) {
      const every = c.definition.reminderEverySeconds! * 1000;
      for (const a of due) {
        if (a.tenant_id !== c.tenant_id) continue;
        const alarm = alarmStateOf(a);
        const { kinds: _kinds, ...routing } = c.definition.routing;
        if (!routes(routing, 'raised', alarm)) continue;
        const n = Math.floor((Date.parse(a.now) - Date.parse(alarm.raisedAt)) / every);
        if (n < 1) continue;
        rows.push({
          tenant_id: c.tenant_id,
          channel_id: c.channel_id,
          alarm_id: alarm.alarmId,
          transition: `reminder:${n}`,
          event: {
            event: {
              type: 'reminder',
              at: new Date(Date.parse(a.now)).toISOString(),
              actor: 'doppel',
              n,
            },
            alarm,
          },
          status: statusOf(c.definition),
        });
      }
    }
    return insertNotifications(tx, rows);
  });
}

/**
 * Digests: for each digest channel whose period has passed, the held notifications become
 * one pending message (their `digestKey` the smallest id among them). Answers how many
 * digests it cut.
 */
export async function cutDigests(database: Database): Promise<number> {
  return database.sql.begin(async (tx) => {
    const channels = await tx<(ChannelRow & { now: string })[]>`
      select tenant_id, channel_id, definition, secret, digest_at, created_at, now() as now
      from notification_channels
      where not deleted and definition ->> 'mode' = 'digest'
      for update skip locked`;
    let cut = 0;
    for (const c of channels) {
      const every = (c.definition.digestEverySeconds ?? 3600) * 1000;
      const since = Date.parse(c.digest_at ?? c.created_at);
      if (Date.parse(c.now) - since < every) continue;
      const [digest] = await tx<{ n: string }[]>`
        with held as (
          select notification_id from alarm_notifications
          where tenant_id = ${c.tenant_id} and channel_id = ${c.channel_id} and status = 'held'
        )
        update alarm_notifications set status = 'pending',
          digest_key = (select min(notification_id) from held), next_attempt_at = now()
        where notification_id in (select notification_id from held)
        returning 1 as n`;
      await tx`update notification_channels set digest_at = ${c.now}
        where tenant_id = ${c.tenant_id} and channel_id = ${c.channel_id}`;
      if (digest) cut += 1;
    }
    return cut;
  });
}

/** A message to send: one notification, or a digest's several (same channel). */
export interface ClaimedMessage {
  readonly tenantId: string;
  readonly channelId: string;
  /** The notification's id, or the digest's key: the message id receivers de-duplicate by. */
  readonly messageId: string;
  readonly digest: boolean;
  readonly notificationIds: readonly number[];
  readonly items: ReadonlyArray<{ transition: string; payload: NotificationPayload }>;
  readonly attempts: number;
  readonly channel: NotificationChannel | null;
  readonly secret: string | null;
}

/**
 * Claims due messages for `leaseMs` (their next attempt pushed past it, attempts counted): a
 * worker that dies mid-send lets the lease run out and another sends them again.
 */
export async function claimDueNotifications(
  database: Database,
  leaseMs: number,
  groups = 20,
): Promise<ClaimedMessage[]> {
  const rows = await database.sql<
    {
      notification_id: string;
      tenant_id: string;
      channel_id: string;
      transition: string;
      event: NotificationPayload;
      digest_key: string | null;
      attempts: number;
    }[]
  >`
    update alarm_notifications set next_attempt_at = now() + ${leaseMs} * interval '1 millisecond',
      attempts = attempts + 1
    where status = 'pending' and next_attempt_at <= now()
      and coalesce(digest_key, notification_id) in (
        select coalesce(digest_key, notification_id) from alarm_notifications
        where status = 'pending' and next_attempt_at <= now()
        order by notification_id limit ${groups})
    returning notification_id, tenant_id, channel_id, transition, event, digest_key, attempts`;
  if (rows.length === 0) return [];
  const channels = await database.sql<ChannelRow[]>`
    select tenant_id, channel_id, definition, secret, digest_at, created_at
    from notification_channels
    where (tenant_id, channel_id) in (
      select * from jsonb_to_recordset(${JSON.stringify(rows.map((r) => ({ t: r.tenant_id, c: r.channel_id })))}::jsonb)
        as x(t text, c text))
      and not deleted`;
  const messages = new Map<string, ClaimedMessage & { notificationIds: number[]; items: any[] }>();
  for (const r of rows.sort((a, b) => Number(a.notification_id) - Number(b.notification_id))) {
    const messageId = r.digest_key ?? r.notification_id;
    let m = messages.get(messageId);
    if (!m) {
      const c = channels.find((x) => x.tenant_id === r.tenant_id && x.channel_id === r.channel_id);
      m = {
        tenantId: r.tenant_id,
        channelId: r.channel_id,
        messageId,
        digest: r.digest_key !== null,
        notificationIds: [],
        items: [],
        attempts: r.attempts,
        channel: c?.definition ?? null,
        secret: c?.secret ?? null,
      };
      messages.set(messageId, m);
    }
    m.notificationIds.push(Number(r.notification_id));
    m.items.push({ transition: r.transition, payload: r.event });
  }
  return [...messages.values()];
}

export async function markNotificationsSent(
  database: Database,
  ids: readonly number[],
): Promise<void> {
  await database.sql`update alarm_notifications set status = 'sent', sent_at = now(),
    last_error = null where notification_id in ${database.sql(ids)}`;
}

/** A failed attempt: tried again after `retryInMs`, or given up (`failed`) after `maxAttempts`. */
export async function markNotificationsFailed(
  database: Database,
  ids: readonly number[],
  error: string,
  retryInMs: number,
  maxAttempts: number,
): Promise<boolean> {
  const [row] = await database.sql<{ status: string }[]>`
    update alarm_notifications set last_error = ${error.slice(0, 2000)},
      status = case when attempts >= ${maxAttempts} then 'failed' else 'pending' end,
      next_attempt_at = now() + ${retryInMs} * interval '1 millisecond'
    where notification_id in ${database.sql(ids)} returning status`;
  return row?.status === 'failed';
}

/** How many notifications wait to be sent (not held for a digest), and the oldest one's age. */
export async function notificationBacklog(
  database: Database,
): Promise<{ pending: number; oldestSeconds: number }> {
  const [r] = await database.sql<{ pending: number; oldest: number | null }[]>`
    select count(*)::int as pending,
      extract(epoch from now() - min(created_at))::float8 as oldest
    from alarm_notifications where status = 'pending'`;
  return { pending: r?.pending ?? 0, oldestSeconds: r?.oldest ?? 0 };
}

import type { TransactionSql } from 'postgres';
import {
  decide,
  evolve,
  noticeReasons,
  NO_INTEREST,
  type DeviceCommand,
  type DeviceEvent,
  type DeviceTwinSettings,
  type DeviceTwinState,
  type NoticeReason,
  type TwinInterest,
} from '../twins/device';
import { isRejection, reject, type Rejection } from '../twins/errors';
import type { DeviceKey } from '../twins/ids';
import type { SteadyPairs } from './alarm-steady';
import { evaluateAlarms, flattenFields, type RulesOf } from './alarm-evaluation';
import type { Database } from './client';
import { recordColumns } from './device-record';
import { noteSiteLoadOf } from './site-load-store';
import { appendManyToOutbox, type OutboxChange } from './outbox-writer';
import { TWIN_NOTICE_CHANNEL } from './twin-notices';

/** The commands the ingest path commits itself (docs/architecture.md, "Ingest"). */
export type IngestCommand = Extract<
  DeviceCommand,
  { type: 'connect' | 'report' | 'disconnect' | 'grace-expired' }
>;

export interface IngestItem {
  readonly key: DeviceKey;
  readonly command: IngestCommand;
  /** The grace period of a lost connection, and the reading rules. */
  readonly settings: DeviceTwinSettings;
  /** What of this device's reports its twin must hear (its profile's `twin` block). */
  readonly interest?: TwinInterest | undefined;
  /** On a disconnect: how the connection ended and its traffic, for the connection history. */
  readonly ending?: SessionEnding | undefined;
  /** W3C trace context of the device message's span (tracing on): carried to its outbox rows and notice. */
  readonly traceparent?: string | undefined;
}

/** Why a connection ended, as the connection history (`device_sessions.close_reason`) says it. */
export type SessionEndReason =
  | 'device-closed'
  | 'server-closed'
  | 'heartbeat-missed'
  | 'gateway-lost'
  | 'will'
  | 'replaced-by-new-session';

/** What the gateway counted on one connection (frames or MQTT packets, and bytes, each way). */
export interface SessionTraffic {
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface SessionEnding {
  readonly reason: SessionEndReason;
  readonly traffic: SessionTraffic;
}

/** The history's reason for a record's offline reason (`disconnected` is the device's doing). */
const endReasonOf = (reason: string): SessionEndReason =>
  reason === 'disconnected' ? 'device-closed' : (reason as SessionEndReason);

/** Per item: the events it recorded (none for a repeat) and the record after it, or why not. */
export type IngestOutcome =
  | { readonly events: readonly DeviceEvent[]; readonly after: DeviceTwinState }
  | { readonly rejection: Rejection };

const UNKNOWN = reject('twin:device.unknown', 'the device has no record (it is not registered)');

/** Sweeps carry no data for alarm rules to read (time-driven rules are swept apart). */
const NO_RULES: RulesOf = () => [];

const keyOf = (k: DeviceKey) => `${k.tenantId}\u0000${k.deviceId}`;

/**
 * Commits a batch of connects, reports, disconnects and grace expiries of many devices in ONE
 * transaction: locks their records in key order, folds each device's commands in arrival order
 * through the pure decide/evolve once, writes the changed records, their sessions, one outbox
 * row per event and a notice for each device whose twin must hear of it, then commits. The
 * outcomes are in the order of `items`; nothing is durable before this resolves.
 */
export async function commitIngest(
  database: Database,
  items: readonly IngestItem[],
  rulesOf: RulesOf = NO_RULES,
  /** The gateway's steady pairs: a report's evaluation unsettles those it judges (alarm-steady.ts). */
  steady?: SteadyPairs,
  /** Which tenants may have a site with a limit (default all): site-load notices only for theirs. */
  siteLimited?: (tenantId: string) => boolean,
): Promise<IngestOutcome[]> {
  if (items.length === 0) return [];
  return database.sql.begin((tx) => ingestIn(database, tx, items, rulesOf, steady, siteLimited));
}

async function ingestIn(
  database: Database,
  tx: TransactionSql,
  items: readonly IngestItem[],
  rulesOf: RulesOf,
  steady?: SteadyPairs,
  siteLimited?: (tenantId: string) => boolean,
): Promise<IngestOutcome[]> {
  const keys = [...new Map(items.map((i) => [keyOf(i.key), i.key])).values()];
  const found = await tx<{ tenant_id: string; device_id: string; state: DeviceTwinState }[]>`
    select d.tenant_id, d.device_id, d.state
    from device_twins d
    join unnest(${keys.map((k) => k.tenantId)}::text[], ${keys.map((k) => k.deviceId)}::text[])
      as k(tenant_id, device_id) on d.tenant_id = k.tenant_id and d.device_id = k.device_id
    order by d.tenant_id, d.device_id
    for update of d`;
  const before = new Map(
    found.map((r) => [keyOf({ tenantId: r.tenant_id, deviceId: r.device_id }), r.state]),
  );
  const current = new Map(before);
  const outcomes: IngestOutcome[] = [];
  const changes: OutboxChange[] = [];
  const eventsOf = new Map<string, DeviceEvent[]>();
  const interestOf = new Map<string, TwinInterest>();
  const traceOf = new Map<string, string>();
  for (const item of items) {
    const k = keyOf(item.key);
    const state = current.get(k);
    if (!state) {
      outcomes.push({ rejection: UNKNOWN });
      continue;
    }
    const decision = decide(state, item.command, { ...item.settings, activateOnConnect: false });
    if (isRejection(decision)) {
      outcomes.push({ rejection: decision });
      continue;
    }
    let next = state;
    for (const event of decision) {
      next = evolve(next, event);
      changes.push({
        aggregate: { type: 'device', tenantId: item.key.tenantId, id: item.key.deviceId },
        event,
        state: next,
        ...(item.traceparent ? { traceparent: item.traceparent } : {}),
      });
    }
    if (item.traceparent && decision.length > 0) traceOf.set(k, item.traceparent);
    current.set(k, next);
    if (decision.length > 0) eventsOf.set(k, [...(eventsOf.get(k) ?? []), ...decision]);
    if (item.interest) interestOf.set(k, item.interest);
    outcomes.push({ events: decision, after: next });
  }
  const changed = [...eventsOf.keys()];
  const endings = items.flatMap((i) =>
    i.ending && i.command.type === 'disconnect'
      ? [{ sessionId: i.command.sessionId, ...i.ending }]
      : [],
  );
  if (changed.length === 0) {
    await writeSessions(tx, [], endings);
    return outcomes;
  }

  const records = changed.map((k) => recordColumns(current.get(k)!));
  await tx`
    update device_twins d set
      connectivity = r.connectivity, offline_reason = r.offline_reason,
      connectivity_since = r.connectivity_since, model = r.model, firmware = r.firmware,
      reported = r.reported, state = r.state, version = r.version, updated_at = r.updated_at,
      gateway_node = r.gateway_node, session_id = r.session_id,
      offline_deadline = r.offline_deadline
    from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(tenant_id text,
      device_id text, connectivity text, offline_reason text, connectivity_since timestamptz,
      model text, firmware text, reported jsonb, state jsonb, version bigint,
      updated_at timestamptz, gateway_node text, session_id text, offline_deadline timestamptz)
    where d.tenant_id = r.tenant_id and d.device_id = r.device_id`;

  await writeSessions(
    tx,
    changed.map((k) => ({
      before: before.get(k)!,
      after: current.get(k)!,
      events: eventsOf.get(k)!,
    })),
    endings,
  );

  const notices = changed.flatMap((k) => {
    const after = current.get(k)!;
    const reasons = noticeReasons(
      before.get(k)!,
      after,
      eventsOf.get(k)!,
      interestOf.get(k) ?? NO_INTEREST,
    );
    return reasons.length > 0
      ? [{ key: after, reasons, version: after.version, traceparent: traceOf.get(k) }]
      : [];
  });
  await writeNotices(tx, notices);
  // A station that went offline or came back changes its site's load management.
  await noteSiteLoadOf(
    tx,
    changed
      .filter((k) => before.get(k)!.connectivity.status !== current.get(k)!.connectivity.status)
      .map((k) => current.get(k)!),
    siteLimited,
  );
  // Reported fields judged against the alarm rules that read them (docs/alarms.md).
  await evaluateAlarms(
    database,
    tx,
    items.flatMap((item, i) => {
      const outcome = outcomes[i]!;
      if (item.command.type !== 'report' || 'rejection' in outcome || outcome.events.length === 0)
        return [];
      return [
        {
          tenantId: item.key.tenantId,
          deviceId: item.key.deviceId,
          at: Date.parse(item.command.at),
          fields: flattenFields(item.command.state),
        },
      ];
    }),
    rulesOf,
    // What it learns is not kept: the telemetry path's next evaluation learns again.
    steady ? { pairs: steady, lessons: [] } : undefined,
  );
  await appendManyToOutbox(tx, changes);
  return outcomes;
}

interface SessionChange {
  readonly before: DeviceTwinState;
  readonly after: DeviceTwinState;
  readonly events: readonly DeviceEvent[];
}

/**
 * Opens a session row per connect and closes the one a device left, with its reason and the
 * traffic its gateway counted, in one statement each. A connection's ending may come after the
 * row was closed (a newer connection took its place first): its traffic is still written, the
 * first close's time and reason stay.
 */
async function writeSessions(
  tx: TransactionSql,
  devices: readonly SessionChange[],
  endings: ReadonlyArray<SessionEnding & { sessionId: string }>,
): Promise<void> {
  const opened: object[] = [];
  const closed = new Map<string, Record<string, unknown>>();
  const endingOf = new Map(endings.map((e) => [e.sessionId, e]));
  for (const { before, after, events } of devices) {
    for (const event of events) {
      if (event.type === 'connected')
        opened.push({
          session_id: event.sessionId,
          tenant_id: after.tenantId,
          device_id: after.deviceId,
          gateway_node: event.gatewayNode,
          protocol: event.protocol ?? null,
          opened_at: event.at,
        });
    }
    const left = before.connectivity.sessionId;
    if (left && left !== after.connectivity.sessionId) {
      const end = [...events]
        .reverse()
        .find(
          (e) =>
            e.type === 'connection-lost' || e.type === 'disconnected' || e.type === 'connected',
        );
      closed.set(left, {
        session_id: left,
        closed_at: end?.at ?? after.updatedAt,
        close_reason:
          end?.type === 'connection-lost' || end?.type === 'disconnected'
            ? (endingOf.get(left)?.reason ?? endReasonOf(end.reason))
            : 'replaced-by-new-session',
      });
    }
  }
  for (const { sessionId, traffic } of endings) {
    const row = closed.get(sessionId) ?? { session_id: sessionId };
    closed.set(sessionId, {
      ...row,
      messages_in: traffic.messagesIn,
      messages_out: traffic.messagesOut,
      bytes_in: traffic.bytesIn,
      bytes_out: traffic.bytesOut,
    });
  }
  if (opened.length > 0)
    await tx`
      insert into device_sessions (session_id, tenant_id, device_id, gateway_node, protocol, opened_at)
      select session_id, tenant_id, device_id, gateway_node, protocol, opened_at
      from jsonb_to_recordset(${JSON.stringify(opened)}::jsonb) as r(session_id text,
        tenant_id text, device_id text, gateway_node text, protocol text, opened_at timestamptz)
      on conflict do nothing`;
  if (closed.size > 0)
    await tx`
      update device_sessions s set
        closed_at = coalesce(s.closed_at, r.closed_at),
        close_reason = coalesce(s.close_reason, r.close_reason),
        messages_in = coalesce(r.messages_in, s.messages_in),
        messages_out = coalesce(r.messages_out, s.messages_out),
        bytes_in = coalesce(r.bytes_in, s.bytes_in),
        bytes_out = coalesce(r.bytes_out, s.bytes_out)
      from jsonb_to_recordset(${JSON.stringify([...closed.values()])}::jsonb)
        as r(session_id text, closed_at timestamptz, close_reason text, messages_in bigint,
          messages_out bigint, bytes_in bigint, bytes_out bigint)
      where s.session_id = r.session_id
        and (s.closed_at is null or r.messages_in is not null)`;
}

/** Upserts one notice per device: reasons merge, the newest version wins, the oldest time stays. */
async function writeNotices(
  tx: TransactionSql,
  notices: ReadonlyArray<{
    key: DeviceKey;
    reasons: readonly NoticeReason[];
    version: number;
    traceparent?: string | undefined;
  }>,
): Promise<void> {
  if (notices.length === 0) return;
  const rows = JSON.stringify(
    notices.map((n) => ({
      tenant_id: n.key.tenantId,
      device_id: n.key.deviceId,
      reasons: n.reasons,
      version: n.version,
      traceparent: n.traceparent ?? null,
    })),
  );
  await tx`
    insert into twin_notices as n (tenant_id, device_id, reasons, version, traceparent)
    select tenant_id, device_id, array(select jsonb_array_elements_text(reasons)), version,
      traceparent
    from jsonb_to_recordset(${rows}::jsonb)
      as r(tenant_id text, device_id text, reasons jsonb, version bigint, traceparent text)
    on conflict (tenant_id, device_id) do update set
      reasons = array(select distinct unnest(n.reasons || excluded.reasons) order by 1),
      version = greatest(n.version, excluded.version),
      traceparent = coalesce(excluded.traceparent, n.traceparent)`;
  await tx`select pg_notify(${TWIN_NOTICE_CHANNEL}, '')`;
}

/**
 * The fleet sweeper's step: commits `grace-expired` for up to `limit` records whose lost
 * connection's grace period has ended (skipping records another sweeper or writer holds), in
 * one transaction. Returns how many devices went offline.
 */
export async function expireGracePeriods(
  database: Database,
  options: { limit?: number; now?: Date } = {},
): Promise<number> {
  const now = (options.now ?? new Date()).toISOString();
  return database.sql.begin(async (tx) => {
    const due = await tx<{ tenant_id: string; device_id: string }[]>`
      select tenant_id, device_id from device_twins
      where offline_deadline is not null and offline_deadline <= ${now}
      order by tenant_id, device_id
      limit ${options.limit ?? 1_000}
      for update skip locked`;
    if (due.length === 0) return 0;
    const outcomes = await ingestIn(
      database,
      tx,
      due.map((r) => ({
        key: { tenantId: r.tenant_id, deviceId: r.device_id },
        command: { type: 'grace-expired', at: now },
        settings: {},
      })) as IngestItem[],
      NO_RULES,
    );
    // A record whose deadline passed but that the pure code kept (it never expires) must not
    // come back every second: clear what is left.
    await tx`
      update device_twins set offline_deadline = null
      where offline_deadline is not null and offline_deadline <= ${now}
        and (tenant_id, device_id) in (select * from unnest(
          ${due.map((r) => r.tenant_id)}::text[], ${due.map((r) => r.device_id)}::text[]))`;
    return outcomes.filter((o) => 'events' in o && o.events.length > 0).length;
  });
}

/**
 * Ends the sessions a lost gateway node held (the watchdog's `gateway-lost`), in batches of
 * `batch` devices, each in one transaction; returns how many sessions were ended. Batches are
 * small on purpose: the lost gateway's devices are reconnecting elsewhere meanwhile, and each
 * of their connects waits for the batch holding its record's lock (a batch skips records a
 * connect holds, not the other way round).
 */
export async function endSessionsOfGateway(
  database: Database,
  node: string,
  settings: DeviceTwinSettings,
  batch = 200,
): Promise<number> {
  let ended = 0;
  for (;;) {
    const done = await database.sql.begin(async (tx) => {
      const held = await tx<{ tenant_id: string; device_id: string; session_id: string }[]>`
        select tenant_id, device_id, session_id from device_twins
        where gateway_node = ${node} and session_id is not null
        order by tenant_id, device_id
        limit ${batch}
        for update skip locked`;
      if (held.length === 0) return 0;
      const at = new Date().toISOString();
      await ingestIn(
        database,
        tx,
        held.map((r) => ({
          key: { tenantId: r.tenant_id, deviceId: r.device_id },
          command: { type: 'disconnect', at, sessionId: r.session_id, reason: 'gateway-lost' },
          settings,
        })),
        NO_RULES,
      );
      // A record the pure code left holding the session (not online) is let go of here.
      await tx`
        update device_twins set gateway_node = null, session_id = null
        where gateway_node = ${node} and (tenant_id, device_id) in (select * from unnest(
          ${held.map((r) => r.tenant_id)}::text[], ${held.map((r) => r.device_id)}::text[]))`;
      return held.length;
    });
    ended += done;
    if (done < batch) return ended;
  }
}

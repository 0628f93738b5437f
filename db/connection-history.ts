import type { DeviceKey } from '../twins/ids';
import type { Database } from './client';

/** One connection of a device, as `device_sessions` keeps it. */
export interface ConnectionRow {
  readonly sessionId: string;
  readonly gatewayNode: string;
  readonly protocol: string | null;
  readonly connectedAt: string;
  readonly disconnectedAt: string | null;
  readonly closeReason: string | null;
  readonly messagesIn: number | null;
  readonly messagesOut: number | null;
  readonly bytesIn: number | null;
  readonly bytesOut: number | null;
}

/** A page of a device's connections, newest first, after a cursor (`connectedAt|sessionId`). */
export interface ConnectionPage {
  readonly from: string | null;
  readonly to: string | null;
  readonly first: number;
  readonly after: { connectedAt: string; sessionId: string } | null;
}

interface Raw {
  session_id: string;
  gateway_node: string;
  protocol: string | null;
  opened_at: string | Date;
  closed_at: string | Date | null;
  close_reason: string | null;
  messages_in: string | null;
  messages_out: string | null;
  bytes_in: string | null;
  bytes_out: string | null;
}

const num = (v: string | null) => (v === null ? null : Number(v));
/** The driver may hand a timestamp over as a Date or as text. */
const iso = (v: string | Date) => new Date(v).toISOString();

/**
 * A device's connections that overlap [from, to) (either end open), newest first: up to
 * `first + 1` rows, so the caller can tell there is a next page.
 */
export async function listConnections(
  database: Database,
  key: DeviceKey,
  page: ConnectionPage,
): Promise<ConnectionRow[]> {
  const { sql } = database;
  const rows = await sql<Raw[]>`
    select session_id, gateway_node, protocol, opened_at, closed_at, close_reason,
      messages_in, messages_out, bytes_in, bytes_out
    from device_sessions
    where tenant_id = ${key.tenantId} and device_id = ${key.deviceId}
      ${page.to ? sql`and opened_at < ${page.to}` : sql``}
      ${page.from ? sql`and (closed_at is null or closed_at > ${page.from})` : sql``}
      ${
        page.after
          ? sql`and (opened_at, session_id) < (${page.after.connectedAt}::timestamptz, ${page.after.sessionId})`
          : sql``
      }
    order by opened_at desc, session_id desc
    limit ${page.first + 1}`;
  return rows.map((r) => ({
    sessionId: r.session_id,
    gatewayNode: r.gateway_node,
    protocol: r.protocol,
    connectedAt: iso(r.opened_at),
    disconnectedAt: r.closed_at === null ? null : iso(r.closed_at),
    closeReason: r.close_reason,
    messagesIn: num(r.messages_in),
    messagesOut: num(r.messages_out),
    bytesIn: num(r.bytes_in),
    bytesOut: num(r.bytes_out),
  }));
}

/** How many of a device's connections overlap [from, to). */
export async function countConnections(
  database: Database,
  key: DeviceKey,
  range: { from: string | null; to: string | null },
): Promise<number> {
  const { sql } = database;
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from device_sessions
    where tenant_id = ${key.tenantId} and device_id = ${key.deviceId}
      ${range.to ? sql`and opened_at < ${range.to}` : sql``}
      ${range.from ? sql`and (closed_at is null or closed_at > ${range.from})` : sql``}`;
  return row?.n ?? 0;
}

/** The connections a device opened in [from, to) after an earlier one: its reconnects. */
export async function countReconnects(
  database: Database,
  key: DeviceKey,
  range: { from: string; to: string },
): Promise<number> {
  const [row] = await database.sql<{ n: number }[]>`
    select count(*)::int as n from device_sessions s
    where s.tenant_id = ${key.tenantId} and s.device_id = ${key.deviceId}
      and s.opened_at >= ${range.from} and s.opened_at < ${range.to}
      and exists (select 1 from device_sessions e
        where e.tenant_id = s.tenant_id and e.device_id = s.device_id
          and e.opened_at < s.opened_at)`;
  return row?.n ?? 0;
}

/** Seconds of a period: all of it, in maintenance, and connected outside maintenance. */
export interface UptimeSeconds {
  readonly period: number;
  readonly maintenance: number;
  readonly online: number;
}

/**
 * Connected time of a device in [from, to) with its maintenance time left out: the union of its
 * connections (an open one lasts until now) minus the spans its lifecycle history says it was
 * in `maintenance`, each cut to the period. `to` is cut to now.
 */
export async function uptimeSeconds(
  database: Database,
  key: DeviceKey,
  range: { from: string; to: string },
): Promise<UptimeSeconds> {
  const [row] = await database.sql<{ period: number; maintenance: number; online: number }[]>`
    with period as (
      select tstzmultirange(tstzrange(${range.from}::timestamptz,
        least(${range.to}::timestamptz, now()))) as m
    ), connected as (
      select coalesce(range_agg(tstzrange(opened_at, coalesce(closed_at, now()))),
        '{}'::tstzmultirange) as m
      from device_sessions
      where tenant_id = ${key.tenantId} and device_id = ${key.deviceId}
        and opened_at < ${range.to} and (closed_at is null or closed_at > ${range.from})
    ), spans as (
      select to_state, at,
        lead(at, 1, 'infinity'::timestamptz) over (order by version) as until
      from device_lifecycle_history
      where tenant_id = ${key.tenantId} and device_id = ${key.deviceId}
    ), maintenance as (
      select coalesce(range_agg(tstzrange(at, until)), '{}'::tstzmultirange) as m
      from spans where to_state = 'maintenance' and at < until
    ), cut as (
      select p.m as period, p.m * mt.m as maintenance, (p.m * c.m) - mt.m as online
      from period p, connected c, maintenance mt
    )
    select
      (select coalesce(sum(extract(epoch from upper(r) - lower(r))), 0) from unnest(cut.period) r)::float8 as period,
      (select coalesce(sum(extract(epoch from upper(r) - lower(r))), 0) from unnest(cut.maintenance) r)::float8 as maintenance,
      (select coalesce(sum(extract(epoch from upper(r) - lower(r))), 0) from unnest(cut.online) r)::float8 as online
    from cut`;
  return row ?? { period: 0, maintenance: 0, online: 0 };
}

/** The newest connection of a device (how it last ended), or null if it never connected. */
export async function lastConnection(
  database: Database,
  key: DeviceKey,
): Promise<ConnectionRow | null> {
  const [row] = await listConnections(database, key, {
    from: null,
    to: null,
    first: 0,
    after: null,
  });
  return row ?? null;
}

/** Closed connections kept per purge transaction: short, so ingest batches never wait long. */
const PURGE_BATCH = 5_000;

/**
 * Deletes closed connections opened more than `retentionMs` ago, in batches; returns how many.
 * Open ones stay whatever their age. Run by the outbox retention workflow's activity.
 */
export async function pruneConnectionHistory(
  database: Database,
  retentionMs: number,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const [row] = await database.sql<{ n: number }[]>`
      with gone as (
        delete from device_sessions where session_id in (
          select session_id from device_sessions
          where opened_at < now() - make_interval(secs => ${retentionMs / 1000})
            and closed_at is not null
          order by opened_at limit ${PURGE_BATCH}
        )
        returning 1
      )
      select count(*)::int as n from gone`;
    deleted += row?.n ?? 0;
    if ((row?.n ?? 0) < PURGE_BATCH) return deleted;
  }
}

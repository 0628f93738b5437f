import { and, eq, sql } from 'drizzle-orm';
import type { TransactionSql } from 'postgres';
import type { DeviceKey } from '../twins/ids';
import type { LoadPolicy, SiteLimit } from '../twins/smart-charging';
import type { Database } from './client';
import { siteLoadLimits } from './schema';

type Tx = Parameters<Parameters<Database['db']['transaction']>[0]>[0];

/** Wakes the site-load drainers when a notice is written (payload empty). */
export const SITE_LOAD_NOTICES_CHANNEL = 'doppel_site_load_notices';
/** Tells gateways that a tenant's site limits changed (payload: the tenant id). */
export const SITE_LOAD_LIMITS_CHANNEL = 'doppel_site_load_limits';

/**
 * Tells the load manager of the device's site, if the site has one, that its sessions changed:
 * a notice row in the caller's transaction (docs/smart-charging.md, "How it hears"), and a
 * NOTIFY that wakes the drainers when it commits — in the same statement, so a session start
 * or stop costs no round trip more; PostgreSQL sends a transaction's equal NOTIFYs once.
 */
export async function noteSiteLoad(tx: Tx, key: DeviceKey): Promise<void> {
  await tx.execute(sql`
    with noted as (
      insert into site_load_notices as n (tenant_id, site_id)
      select d.tenant_id, d.site_id from device_twins d
      join site_load_limits l on l.tenant_id = d.tenant_id and l.site_id = d.site_id
      where d.tenant_id = ${key.tenantId} and d.device_id = ${key.deviceId}
      on conflict (tenant_id, site_id) do update set seq = n.seq + 1
      returning 1)
    select pg_notify(${SITE_LOAD_NOTICES_CHANNEL}, '') where exists (select 1 from noted)`);
}

/**
 * The same for a batch of devices whose connectivity changed (the ingest path's transaction).
 * `limited` says which tenants may have a site with a limit (the gateway's SiteLoadTenants):
 * devices of the others are left out, and a batch with none left sends no statement.
 */
export async function noteSiteLoadOf(
  tx: TransactionSql,
  devices: readonly DeviceKey[],
  limited: (tenantId: string) => boolean = () => true,
) {
  const keys = devices.filter((k) => limited(k.tenantId));
  if (keys.length === 0) return;
  await tx`
    with noted as (
      insert into site_load_notices as n (tenant_id, site_id)
      select distinct d.tenant_id, d.site_id from device_twins d
      join unnest(${keys.map((k) => k.tenantId)}::text[], ${keys.map((k) => k.deviceId)}::text[])
        as k(tenant_id, device_id) on d.tenant_id = k.tenant_id and d.device_id = k.device_id
      join site_load_limits l on l.tenant_id = d.tenant_id and l.site_id = d.site_id
      on conflict (tenant_id, site_id) do update set seq = n.seq + 1
      returning 1)
    select pg_notify(${SITE_LOAD_NOTICES_CHANNEL}, '') where exists (select 1 from noted)`;
}

export interface SiteLoadNotice {
  tenantId: string;
  siteId: string;
  seq: number;
}

/** The oldest waiting notices. */
export async function waitingSiteLoadNotices(database: Database, limit: number) {
  const rows = await database.sql<{ tenant_id: string; site_id: string; seq: string }[]>`
    select tenant_id, site_id, seq from site_load_notices order by since limit ${limit}`;
  return rows.map((r) => ({ tenantId: r.tenant_id, siteId: r.site_id, seq: Number(r.seq) }));
}

/** Deletes a notice that was signalled, unless a newer write came in meanwhile. */
export async function settleSiteLoadNotice(database: Database, n: SiteLoadNotice) {
  await database.sql`
    delete from site_load_notices
    where tenant_id = ${n.tenantId} and site_id = ${n.siteId} and seq = ${n.seq}`;
}

/** A running charging session at a site, as the load manager needs it. */
export interface SiteSession {
  deviceId: string;
  protocol: 'ocpp1.6' | 'ocpp2.0.1';
  transactionId: string;
  /** 1.6: connector; 2.0.1: EVSE. */
  connectorId: number;
  token: string | null;
  startedAt: string;
}

export interface SiteLoadFacts {
  sessions: SiteSession[];
  /** Devices at the site that are not online now. */
  offline: string[];
}

/** The site's running sessions and which of its stations are not online. */
export async function readSiteLoad(
  database: Database,
  tenantId: string,
  siteId: string,
): Promise<SiteLoadFacts> {
  const sessions = await database.sql<
    {
      device_id: string;
      protocol: string;
      transaction_id: string;
      connector: number;
      id_tag: string | null;
      started_at: Date;
    }[]
  >`
    select s.device_id, s.protocol, s.transaction_id,
      coalesce(case when s.protocol = 'ocpp2.0.1' then s.evse_id else s.connector_id end, 0)
        as connector, s.id_tag, s.started_at
    from charging_sessions s
    join device_twins d on d.tenant_id = s.tenant_id and d.device_id = s.device_id
    where d.tenant_id = ${tenantId} and d.site_id = ${siteId}
      and s.stopped_at is null and s.started_at is not null and s.transaction_id is not null
    order by s.started_at, s.id`;
  const offline = await database.sql<{ device_id: string }[]>`
    select device_id from device_twins
    where tenant_id = ${tenantId} and site_id = ${siteId} and connectivity <> 'online'`;
  return {
    sessions: sessions.map((r) => ({
      deviceId: r.device_id,
      protocol: r.protocol as SiteSession['protocol'],
      transactionId: r.transaction_id,
      connectorId: Number(r.connector),
      token: r.id_tag,
      startedAt: new Date(r.started_at).toISOString(),
    })),
    offline: offline.map((r) => r.device_id),
  };
}

export interface SiteLoadSettings {
  limit: SiteLimit;
  policy: LoadPolicy;
  releaseDelayMs: number;
}

/**
 * Keeps what the operator set, for the API to read (the load manager holds its own copy), and
 * tells gateways in the same transaction (NOTIFY) that the tenant has a site with a limit now.
 */
export async function saveSiteLoadLimit(
  database: Database,
  key: { tenantId: string; siteId: string },
  settings: SiteLoadSettings,
  actor: string,
): Promise<void> {
  const row = {
    unit: settings.limit.unit,
    value: settings.limit.value,
    phases: settings.limit.unit === 'A' ? settings.limit.phases : null,
    policy: settings.policy,
    releaseDelayMs: settings.releaseDelayMs,
    updatedBy: actor,
    updatedAt: new Date().toISOString(),
  };
  await database.db.transaction(async (tx) => {
    await tx
      .insert(siteLoadLimits)
      .values({ ...key, ...row })
      .onConflictDoUpdate({ target: [siteLoadLimits.tenantId, siteLoadLimits.siteId], set: row });
    await tx.execute(sql`select pg_notify(${SITE_LOAD_LIMITS_CHANNEL}, ${key.tenantId})`);
  });
}

/** Whether any site of the tenant has a limit (the gateway asks once per tenant it serves). */
export async function tenantHasSiteLoadLimits(database: Database, tenantId: string) {
  const [row] = await database.sql<{ limited: boolean }[]>`
    select exists (select 1 from site_load_limits where tenant_id = ${tenantId}) as limited`;
  return row?.limited ?? false;
}

export async function findSiteLoadLimit(
  database: Database,
  key: { tenantId: string; siteId: string },
): Promise<(SiteLoadSettings & { updatedBy: string; updatedAt: string }) | null> {
  const [row] = await database.db
    .select()
    .from(siteLoadLimits)
    .where(and(eq(siteLoadLimits.tenantId, key.tenantId), eq(siteLoadLimits.siteId, key.siteId)));
  if (!row) return null;
  const limit: SiteLimit =
    row.unit === 'A'
      ? { unit: 'A', value: row.value, phases: row.phases === 1 ? 1 : 3 }
      : { unit: 'W', value: row.value };
  return {
    limit,
    policy: row.policy,
    releaseDelayMs: row.releaseDelayMs,
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt,
  };
}

import type {
  GroupFigures,
  HealthFigures,
  HealthVerdict,
  NewFingerprint,
} from '../twins/rollout/health';
import type { Database } from './client';
import { ROLLOUT_CHANNEL } from './rollout-store';

/**
 * The figures of a rollout's health gate (docs/fleet-operations.md "Health-gated rollouts"),
 * read from what PostgreSQL already keeps: alarms, device sessions, charging sessions, fault
 * fingerprints.
 */

/**
 * Charging session stop reasons that mean the session failed (OCPP 1.6 `Reason`, 2.0.1
 * `ReasonEnumType`): the station or its power stopped it, not the driver or the car. A stopped
 * session that delivered no energy failed too.
 */
export const FAULT_STOP_REASONS = [
  'EmergencyStop',
  'GroundFault',
  'HardReset',
  'ImmediateReset',
  'OvercurrentFault',
  'PowerLoss',
  'PowerQuality',
  'Reboot',
  'SoftReset',
  'Timeout',
] as const;

export interface HealthWindow {
  tenantId: string;
  rolloutId: string;
  /** The wave's positions [from, from + size): its succeeded devices are the updated ones. */
  from: number;
  size: number;
  /** The version the rollout installs (fingerprints new to it). */
  version: string;
  /** ISO 8601: the wave's start and the end of its bake. */
  since: string;
  until: string;
}

const NONE: GroupFigures = { devices: 0, alarms: 0, reconnects: 0, sessions: 0, failedSessions: 0 };

/**
 * What a group did in [since, until): alarms raised, reconnects (for updated devices, the first
 * connection of the window — their reboot into the new version — is left out), charging
 * sessions started and those that failed. One statement.
 */
async function groupFigures(
  database: Database,
  w: HealthWindow,
  deviceIds: readonly string[],
  updated: boolean,
): Promise<GroupFigures> {
  if (deviceIds.length === 0) return NONE;
  const { sql } = database;
  const ids = deviceIds as string[];
  const [row] = await sql<
    { alarms: number; reconnects: number; sessions: number; failed: number }[]
  >`
    select
      (select count(*)::int from alarms where tenant_id = ${w.tenantId} and device_id = any(${ids})
        and raised_at >= ${w.since} and raised_at < ${w.until}) as alarms,
      (select coalesce(sum(greatest(n - ${updated ? 1 : 0}, 0)), 0)::int from (
        select count(*) as n from device_sessions where tenant_id = ${w.tenantId}
          and device_id = any(${ids}) and opened_at >= ${w.since} and opened_at < ${w.until}
        group by device_id) s) as reconnects,
      (select count(*)::int from charging_sessions where tenant_id = ${w.tenantId}
        and device_id = any(${ids}) and started_at >= ${w.since} and started_at < ${w.until}) as sessions,
      (select count(*)::int from charging_sessions where tenant_id = ${w.tenantId}
        and device_id = any(${ids}) and started_at >= ${w.since} and started_at < ${w.until}
        and stopped_at is not null and (stop_reason = any(${FAULT_STOP_REASONS as unknown as string[]})
          or meter_stop_wh - meter_start_wh <= 0)) as failed`;
  return {
    devices: deviceIds.length,
    alarms: row?.alarms ?? 0,
    reconnects: row?.reconnects ?? 0,
    sessions: row?.sessions ?? 0,
    failedSessions: row?.failed ?? 0,
  };
}

/** The figures of both groups and the fingerprints new to the version on the updated devices. */
export async function healthFigures(database: Database, w: HealthWindow): Promise<HealthFigures> {
  const { sql } = database;
  const devices = await sql<{ device_id: string; status: string; position: number }[]>`
    select device_id, status, position from rollout_devices
    where tenant_id = ${w.tenantId} and rollout_id = ${w.rolloutId}
      and (status = 'pending' or (status = 'succeeded'
        and position >= ${w.from} and position < ${w.from + w.size}))`;
  const updated = devices.filter((d) => d.status === 'succeeded').map((d) => d.device_id);
  const baseline = devices.filter((d) => d.status === 'pending').map((d) => d.device_id);
  const newFingerprints =
    updated.length === 0
      ? []
      : await sql<NewFingerprint[]>`
          select f.fingerprint, f.error_code as "errorCode", f.vendor_code as "vendorCode",
            f.firmware, f.model
          from fault_fingerprints f
          where f.tenant_id = ${w.tenantId} and f.firmware = ${w.version}
            and exists (select 1 from fault_fingerprint_devices d
              where d.tenant_id = f.tenant_id and d.fingerprint = f.fingerprint
                and d.device_id = any(${updated}) and d.last_seen >= ${w.since}
                and d.first_seen < ${w.until})
            and not exists (select 1 from fault_fingerprints o
              where o.tenant_id = f.tenant_id and o.error_code = f.error_code
                and o.vendor_code is not distinct from f.vendor_code
                and o.model is not distinct from f.model
                and o.firmware is distinct from f.firmware)
          order by f.first_seen, f.fingerprint`;
  return {
    updated: await groupFigures(database, w, updated, true),
    baseline: await groupFigures(database, w, baseline, false),
    newFingerprints: newFingerprints.map((f) => ({ ...f })),
  };
}

async function notify(database: Database, tenantId: string, rolloutId: string) {
  await database.sql`select pg_notify(${ROLLOUT_CHANNEL}, ${`${tenantId}:${rolloutId}`})`;
}

/** A wave's bake begins (idempotent: a retried start keeps the first). */
export async function startHealthCheck(
  database: Database,
  check: { tenantId: string; rolloutId: string; wave: number; since: string; until: string },
): Promise<void> {
  await database.sql`
    insert into rollout_health_checks (tenant_id, rollout_id, wave, status, bake_from, bake_until)
    values (${check.tenantId}, ${check.rolloutId}, ${check.wave}, 'baking', ${check.since},
      ${check.until})
    on conflict do nothing`;
  await notify(database, check.tenantId, check.rolloutId);
}

/** A wave's bake judged: the verdict, its reason, the evidence (figures and checks), the window's real end. */
export async function finishHealthCheck(
  database: Database,
  check: { tenantId: string; rolloutId: string; wave: number; until: string },
  verdict: HealthVerdict,
  figures: HealthFigures,
): Promise<void> {
  const evidence = { checks: verdict.checks, figures };
  await database.sql`
    update rollout_health_checks set status = ${verdict.verdict}, reason = ${verdict.reason},
      evidence = ${JSON.stringify(evidence)}::jsonb, judged_at = now(), bake_until = ${check.until}
    where tenant_id = ${check.tenantId} and rollout_id = ${check.rolloutId} and wave = ${check.wave}`;
  await notify(database, check.tenantId, check.rolloutId);
}

export interface HealthCheckRow {
  wave: number;
  status: string;
  bakeFrom: string;
  bakeUntil: string;
  judgedAt: string | null;
  reason: string | null;
  evidence: Record<string, unknown> | null;
}

/** A rollout's health checks, wave by wave. */
export async function rolloutHealthChecks(
  database: Database,
  tenantId: string,
  rolloutId: string,
): Promise<HealthCheckRow[]> {
  const rows = await database.sql<
    {
      wave: number;
      status: string;
      bake_from: Date | string;
      bake_until: Date | string;
      judged_at: Date | string | null;
      reason: string | null;
      evidence: Record<string, unknown> | null;
    }[]
  >`
    select wave, status, bake_from, bake_until, judged_at, reason, evidence
    from rollout_health_checks where tenant_id = ${tenantId} and rollout_id = ${rolloutId}
    order by wave`;
  const iso = (v: Date | string) => new Date(v).toISOString();
  return rows.map((r) => ({
    wave: r.wave,
    status: r.status,
    bakeFrom: iso(r.bake_from),
    bakeUntil: iso(r.bake_until),
    judgedAt: r.judged_at === null ? null : iso(r.judged_at),
    reason: r.reason,
    evidence: r.evidence,
  }));
}

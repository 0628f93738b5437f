import { createHash } from 'node:crypto';
import type { TransactionSql } from 'postgres';
import { DoppelError } from '../twins/errors';
import type { Database } from './client';

/**
 * Fault fingerprints (docs/alarms.md "Fault fingerprints"): every fault a device raises is
 * grouped with the same fault of the same firmware and model — Memfault's "issues" — with when
 * it was first and last seen, how often and on how many devices; an operator resolves one, and
 * a resolved one that occurs again is regressed.
 */

/** One fault as raised: the alarm type, and the vendor's own code when the alarm carries one. */
export interface FaultOccurrence {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly errorCode: string;
  readonly vendorCode: string | null;
  /** ISO 8601. */
  readonly at: string;
}

export type FaultStatus = 'open' | 'resolved' | 'regressed';

export interface FaultFingerprint {
  tenantId: string;
  fingerprint: string;
  errorCode: string;
  vendorCode: string | null;
  firmware: string | null;
  model: string | null;
  firstSeen: string;
  lastSeen: string;
  count: number;
  devicesAffected: number;
  status: FaultStatus;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolvedInFirmware: string | null;
  regressedAt: string | null;
}

/** The fingerprint of a fault: sha256 over its four parts (an absent part counts as empty). */
export function fingerprintOf(parts: {
  errorCode: string;
  vendorCode: string | null;
  firmware: string | null;
  model: string | null;
}): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        parts.errorCode,
        parts.vendorCode ?? '',
        parts.firmware ?? '',
        parts.model ?? '',
      ]),
    )
    .digest('hex')
    .slice(0, 32);
}

/** The vendor's code of an alarm, when its details carry one (`vendorCode`, `vendorErrorCode`). */
export function vendorCodeOf(details: Readonly<Record<string, unknown>>): string | null {
  const code = details.vendorCode ?? details.vendorErrorCode;
  return typeof code === 'string' && code !== '' ? code.slice(0, 256) : null;
}

const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());

/**
 * Records faults in the transaction that raised them: the devices' firmware and model are read
 * from their records, each (fingerprint, device) and each fingerprint upserted in key order
 * (three statements, whatever the number of faults). A new fingerprint is `open`, or born
 * `regressed` when the same fault of the model was resolved as fixed in some firmware; an
 * occurrence of a `resolved` fingerprint regresses it unless it was resolved as fixed in another
 * firmware than its own (the device simply has not got the fix yet).
 */
export async function recordFaults(
  tx: TransactionSql,
  faults: readonly FaultOccurrence[],
): Promise<void> {
  if (faults.length === 0) return;
  const devices = await tx<
    { tenant_id: string; device_id: string; model: string | null; firmware: string | null }[]
  >`
    select d.tenant_id, d.device_id, d.model,
      coalesce(d.firmware, case jsonb_typeof(d.reported->'firmware')
        when 'string' then d.reported->>'firmware'
        when 'object' then d.reported->'firmware'->>'version' end) as firmware
    from device_twins d
    join unnest(${faults.map((f) => f.tenantId)}::text[], ${faults.map((f) => f.deviceId)}::text[])
      as k(tenant_id, device_id) on d.tenant_id = k.tenant_id and d.device_id = k.device_id`;
  const deviceOf = new Map(devices.map((d) => [`${d.tenant_id}\u0000${d.device_id}`, d]));
  // Rows as the statements read them (snake case), gathered per fingerprint and per device.
  type Seen = { first_seen: string; last_seen: string; count: number };
  const widen = (seen: Seen | undefined, at: string): Seen =>
    seen
      ? {
          first_seen: at < seen.first_seen ? at : seen.first_seen,
          last_seen: at > seen.last_seen ? at : seen.last_seen,
          count: seen.count + 1,
        }
      : { first_seen: at, last_seen: at, count: 1 };
  const prints = new Map<string, Seen & Record<string, string | number | null>>();
  const onDevices = new Map<string, Seen & Record<string, string | number | null>>();
  for (const f of faults) {
    const device = deviceOf.get(`${f.tenantId}\u0000${f.deviceId}`);
    const parts = {
      errorCode: f.errorCode,
      vendorCode: f.vendorCode,
      firmware: device?.firmware ?? null,
      model: device?.model ?? null,
    };
    const fingerprint = fingerprintOf(parts);
    const at = new Date(f.at).toISOString();
    const key = `${f.tenantId}\u0000${fingerprint}`;
    prints.set(key, {
      tenant_id: f.tenantId,
      fingerprint,
      error_code: parts.errorCode,
      vendor_code: parts.vendorCode,
      firmware: parts.firmware,
      model: parts.model,
      ...widen(prints.get(key), at),
    });
    const deviceKey = `${key}\u0000${f.deviceId}`;
    onDevices.set(deviceKey, {
      tenant_id: f.tenantId,
      fingerprint,
      device_id: f.deviceId,
      ...widen(onDevices.get(deviceKey), at),
    });
  }
  // In key order: concurrent batches lock the rows in the same order.
  const sorted = (m: Map<string, Seen & Record<string, unknown>>) =>
    [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  // Which devices see a fingerprint for the first time (they add to its devices affected).
  const newDevices = await tx<{ tenant_id: string; fingerprint: string; inserted: boolean }[]>`
    insert into fault_fingerprint_devices as d
      (tenant_id, fingerprint, device_id, first_seen, last_seen, count)
    select tenant_id, fingerprint, device_id, first_seen, last_seen, count
    from jsonb_to_recordset(${JSON.stringify(sorted(onDevices))}::jsonb)
      as r(tenant_id text, fingerprint text, device_id text, first_seen timestamptz,
        last_seen timestamptz, count bigint)
    on conflict (tenant_id, fingerprint, device_id) do update set
      first_seen = least(d.first_seen, excluded.first_seen),
      last_seen = greatest(d.last_seen, excluded.last_seen), count = d.count + excluded.count
    returning tenant_id, fingerprint, (xmax = 0) as inserted`;
  const added = new Map<string, number>();
  for (const row of newDevices)
    if (row.inserted) {
      const key = `${row.tenant_id}\u0000${row.fingerprint}`;
      added.set(key, (added.get(key) ?? 0) + 1);
    }
  await tx`
    insert into fault_fingerprints as f (tenant_id, fingerprint, error_code, vendor_code, firmware,
      model, first_seen, last_seen, count, devices_affected, status, regressed_at)
    select r.tenant_id, r.fingerprint, r.error_code, r.vendor_code, r.firmware, r.model,
      r.first_seen, r.last_seen, r.count, r.devices,
      case when s.fixed then 'regressed' else 'open' end,
      case when s.fixed then r.first_seen end
    from jsonb_to_recordset(${JSON.stringify(
      [...prints.keys()]
        .sort()
        .map((key) => ({ ...prints.get(key), devices: added.get(key) ?? 0 })),
    )}::jsonb) as r(tenant_id text, fingerprint text, error_code text, vendor_code text,
      firmware text, model text, first_seen timestamptz, last_seen timestamptz, count bigint,
      devices int)
    cross join lateral (select exists (select 1 from fault_fingerprints o
      where o.tenant_id = r.tenant_id and o.error_code = r.error_code
        and o.vendor_code is not distinct from r.vendor_code and o.model is not distinct from r.model
        and o.fingerprint <> r.fingerprint and o.status = 'resolved'
        and o.resolved_in_firmware is not null) as fixed) s
    on conflict (tenant_id, fingerprint) do update set
      first_seen = least(f.first_seen, excluded.first_seen),
      last_seen = greatest(f.last_seen, excluded.last_seen),
      count = f.count + excluded.count,
      devices_affected = f.devices_affected + excluded.devices_affected,
      status = case when f.status = 'resolved' and (f.resolved_in_firmware is null
          or f.resolved_in_firmware is not distinct from f.firmware) then 'regressed'
        else f.status end,
      regressed_at = case when f.status = 'resolved' and (f.resolved_in_firmware is null
          or f.resolved_in_firmware is not distinct from f.firmware) then excluded.last_seen
        else f.regressed_at end`;
}

interface Raw {
  tenant_id: string;
  fingerprint: string;
  error_code: string;
  vendor_code: string | null;
  firmware: string | null;
  model: string | null;
  first_seen: string | Date;
  last_seen: string | Date;
  count: string | number;
  devices_affected: number;
  status: FaultStatus;
  resolved_at: string | Date | null;
  resolved_by: string | null;
  resolved_in_firmware: string | null;
  regressed_at: string | Date | null;
}

const fromRaw = (r: Raw): FaultFingerprint => ({
  tenantId: r.tenant_id,
  fingerprint: r.fingerprint,
  errorCode: r.error_code,
  vendorCode: r.vendor_code,
  firmware: r.firmware,
  model: r.model,
  firstSeen: iso(r.first_seen)!,
  lastSeen: iso(r.last_seen)!,
  count: Number(r.count),
  devicesAffected: r.devices_affected,
  status: r.status,
  resolvedAt: iso(r.resolved_at),
  resolvedBy: r.resolved_by,
  resolvedInFirmware: r.resolved_in_firmware,
  regressedAt: iso(r.regressed_at),
});

export interface FaultFilter {
  status?: FaultStatus;
  model?: string;
  firmware?: string;
}

/** Where a listing goes on: after this (last seen, fingerprint). */
export interface FaultCursor {
  lastSeen: string;
  fingerprint: string;
}

function where(database: Database, tenantId: string, filter: FaultFilter) {
  const { sql } = database;
  return sql`tenant_id = ${tenantId}
    ${filter.status ? sql`and status = ${filter.status}` : sql``}
    ${filter.model ? sql`and model = ${filter.model}` : sql``}
    ${filter.firmware ? sql`and firmware = ${filter.firmware}` : sql``}`;
}

/** A tenant's fingerprints, last seen first: up to `first + 1` (the caller tells a next page). */
export async function listFaultFingerprints(
  database: Database,
  tenantId: string,
  filter: FaultFilter,
  page: { first: number; after: FaultCursor | null },
): Promise<FaultFingerprint[]> {
  const { sql } = database;
  const rows = await sql<Raw[]>`
    select * from fault_fingerprints where ${where(database, tenantId, filter)}
      ${
        page.after
          ? sql`and (last_seen, fingerprint) < (${page.after.lastSeen}::timestamptz, ${page.after.fingerprint})`
          : sql``
      }
    order by last_seen desc, fingerprint desc limit ${page.first + 1}`;
  return rows.map(fromRaw);
}

export async function countFaultFingerprints(
  database: Database,
  tenantId: string,
  filter: FaultFilter,
): Promise<number> {
  const [row] = await database.sql<{ n: number }[]>`
    select count(*)::int as n from fault_fingerprints where ${where(database, tenantId, filter)}`;
  return row?.n ?? 0;
}

/**
 * An operator resolves a fingerprint, optionally naming the firmware the fix ships in; a
 * regressed one may be resolved again. Unknown: `fault:unknown`.
 */
export async function resolveFault(
  database: Database,
  change: {
    tenantId: string;
    actor: string;
    fingerprint: string;
    resolvedInFirmware: string | null;
  },
): Promise<FaultFingerprint> {
  const [row] = await database.sql<Raw[]>`
    update fault_fingerprints set status = 'resolved', resolved_at = now(),
      resolved_by = ${change.actor}, resolved_in_firmware = ${change.resolvedInFirmware}
    where tenant_id = ${change.tenantId} and fingerprint = ${change.fingerprint}
    returning *`;
  if (!row)
    throw new DoppelError(
      'fault:unknown',
      `no fault fingerprint ${change.fingerprint} in tenant ${change.tenantId}`,
    );
  return fromRaw(row);
}

/** The faults of alarm transitions: each raise, its alarm type the error code. */
export function raisedFaults(
  transitions: ReadonlyArray<{
    tenantId: string;
    deviceId: string;
    transition: { kind: string; at: number };
    rule: { rule: { alarmType: string } };
    details?: Readonly<Record<string, unknown>>;
  }>,
): FaultOccurrence[] {
  return transitions
    .filter((t) => t.transition.kind === 'raise')
    .map((t) => ({
      tenantId: t.tenantId,
      deviceId: t.deviceId,
      errorCode: t.rule.rule.alarmType,
      vendorCode: vendorCodeOf(t.details ?? {}),
      at: new Date(t.transition.at).toISOString(),
    }));
}

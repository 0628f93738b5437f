import { and, asc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { DeviceTwinState } from '../twins/device';
import type { OperationConfig, RolloutConfig } from '../twins/rollout/config';
import { noRolloutCounts, type RolloutDeviceStatus } from '../twins/rollout/plan';
import { statusChangeRow, writeAudit } from './audit-writer';
import type { Database } from './client';
import { deviceTwins, rolloutDevices, rollouts } from './schema';

export type { RolloutDeviceStatus } from '../twins/rollout/plan';

export interface RolloutRecord {
  tenantId: string;
  rolloutId: string;
  workflowId: string;
  config: OperationConfig;
  status: string;
  reason: string | null;
  createdBy: string;
}

/** The rows of one rollout's devices (optionally narrowed further). */
const inRollout = (tenantId: string, rolloutId: string, ...more: Array<SQL | undefined>) =>
  and(eq(rolloutDevices.tenantId, tenantId), eq(rolloutDevices.rolloutId, rolloutId), ...more);

/** NOTIFY channel: a rollout's progress changed (payload `<tenant>:<rollout>`). */
export const ROLLOUT_CHANNEL = 'doppel_rollouts';

/** Tells every listening API process that a rollout moved (its subscribers read it again). */
async function notifyRollout(database: Database, tenantId: string, rolloutId: string) {
  await database.db.execute(
    sql`select pg_notify(${ROLLOUT_CHANNEL}, ${`${tenantId}:${rolloutId}`})`,
  );
}

/**
 * Creates or updates a rollout's row (the workflow's projection). The configuration goes in
 * once, when the row is created; later saves change status and reason only (and need not
 * carry it: the rollout's history stays small).
 */
export async function saveRollout(
  database: Database,
  record: Omit<RolloutRecord, 'config'> & { config?: OperationConfig },
): Promise<void> {
  const { config, ...rest } = record;
  const key = and(eq(rollouts.tenantId, record.tenantId), eq(rollouts.rolloutId, record.rolloutId));
  await database.db.transaction(async (tx) => {
    const [before] = await tx
      .select({ status: rollouts.status, reason: rollouts.reason })
      .from(rollouts)
      .where(key)
      .for('update');
    if (config && !before) await tx.insert(rollouts).values({ ...rest, config });
    else
      await tx
        .update(rollouts)
        .set({ status: record.status, reason: record.reason, updatedAt: new Date() })
        .where(key);
    // Each change of status enters the audit trail (a retried save changes nothing).
    if (before?.status !== record.status)
      await writeAudit(tx, [
        statusChangeRow({
          tenantId: record.tenantId,
          actor: `rollout:${record.rolloutId}`,
          operation: 'rollout.status-changed',
          subject: `rollout:${record.rolloutId}`,
          reason: record.reason ?? null,
          before: before?.status ?? null,
          after: record.status,
        }),
      ]);
  });
  await notifyRollout(database, record.tenantId, record.rolloutId);
}

export async function findRollout(database: Database, tenantId: string, rolloutId: string) {
  const [row] = await database.db
    .select()
    .from(rollouts)
    .where(and(eq(rollouts.tenantId, tenantId), eq(rollouts.rolloutId, rolloutId)));
  return row ?? null;
}

/**
 * Fixes a rollout's targets: the tenant's devices matching the filter and not yet in it, in
 * device-id order, each `pending` at a position after those already there (a continuous
 * rollout calls it again for newcomers). Idempotent (a retry adds nothing); returns how many
 * devices the rollout has in all.
 */
export async function selectRolloutTargets(
  database: Database,
  tenantId: string,
  rolloutId: string,
  target: RolloutConfig['target'],
): Promise<number> {
  const t = deviceTwins;
  const where = and(
    eq(t.tenantId, tenantId),
    target.customerId ? eq(t.customerId, target.customerId) : undefined,
    target.siteId ? eq(t.siteId, target.siteId) : undefined,
    target.models ? inArray(t.model, target.models) : undefined,
    target.firmware ? inArray(t.firmware, target.firmware) : undefined,
    target.devices ? inArray(t.deviceId, target.devices) : undefined,
    target.tags ? sql`${t.tags} @> ${sql.param(target.tags)}::text[]` : undefined,
  );
  await database.db.execute(sql`
    insert into rollout_devices (tenant_id, rollout_id, device_id, position, status)
    select ${tenantId}, ${rolloutId}, device_id,
      (select coalesce(max(position) + 1, 0) from rollout_devices
        where tenant_id = ${tenantId} and rollout_id = ${rolloutId})
      + (row_number() over (order by device_id))::int - 1,
      'pending'
    from device_twins
    where ${where} and not exists (
      select 1 from rollout_devices r
      where r.tenant_id = ${tenantId} and r.rollout_id = ${rolloutId} and r.device_id = device_twins.device_id)
    on conflict do nothing`);
  await notifyRollout(database, tenantId, rolloutId);
  const [row] = await database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(rolloutDevices)
    .where(inRollout(tenantId, rolloutId));
  return row?.n ?? 0;
}

/** A rollout's device ids with this status, in rollout order (optionally within positions). */
async function idsWithStatus(
  database: Database,
  tenantId: string,
  rolloutId: string,
  status: RolloutDeviceStatus,
  positions?: { from: number; size: number },
): Promise<string[]> {
  const rows = await database.db
    .select({ deviceId: rolloutDevices.deviceId })
    .from(rolloutDevices)
    .where(
      inRollout(
        tenantId,
        rolloutId,
        eq(rolloutDevices.status, status),
        positions ? gte(rolloutDevices.position, positions.from) : undefined,
        positions ? lt(rolloutDevices.position, positions.from + positions.size) : undefined,
      ),
    )
    .orderBy(asc(rolloutDevices.position));
  return rows.map((r) => r.deviceId);
}

/** The devices at positions [from, from + size) that are still `pending`. */
export function pendingAt(
  database: Database,
  tenantId: string,
  rolloutId: string,
  from: number,
  size: number,
): Promise<string[]> {
  return idsWithStatus(database, tenantId, rolloutId, 'pending', { from, size });
}

/** One device's row of a rollout, or null. */
export async function findRolloutDevice(
  database: Database,
  key: { tenantId: string; rolloutId: string; deviceId: string },
) {
  const [row] = await database.db
    .select()
    .from(rolloutDevices)
    .where(inRollout(key.tenantId, key.rolloutId, eq(rolloutDevices.deviceId, key.deviceId)));
  return row ?? null;
}

/**
 * These devices' rows as recorded when they were commanded (status, attempt, connection,
 * time, detail): a wave passes only the ids of its devices in flight, so its history stays
 * small.
 */
export async function rolloutDevicesOf(
  database: Database,
  tenantId: string,
  rolloutId: string,
  deviceIds: string[],
) {
  if (deviceIds.length === 0) return [];
  return database.db
    .select({
      deviceId: rolloutDevices.deviceId,
      status: rolloutDevices.status,
      attempt: rolloutDevices.attempts,
      sessionAtCommand: rolloutDevices.sessionAtCommand,
      commandedAt: rolloutDevices.commandedAt,
      detail: rolloutDevices.detail,
    })
    .from(rolloutDevices)
    .where(inRollout(tenantId, rolloutId, inArray(rolloutDevices.deviceId, deviceIds)));
}

/** Devices of a rollout with this status (e.g. the failed ones, to retry). */
export function devicesWithStatus(
  database: Database,
  tenantId: string,
  rolloutId: string,
  status: RolloutDeviceStatus,
): Promise<string[]> {
  return idsWithStatus(database, tenantId, rolloutId, status);
}

export async function setRolloutDevice(
  database: Database,
  key: { tenantId: string; rolloutId: string; deviceId: string },
  change: {
    status: RolloutDeviceStatus;
    detail?: string | null;
    attempts?: number;
    commandedAt?: string | null;
    sessionAtCommand?: string | null;
    finishedAt?: string | null;
  },
): Promise<void> {
  await database.db
    .update(rolloutDevices)
    .set({ ...change, updatedAt: new Date() })
    .where(inRollout(key.tenantId, key.rolloutId, eq(rolloutDevices.deviceId, key.deviceId)));
  await notifyRollout(database, key.tenantId, key.rolloutId);
}

/** Counts of a rollout's devices by status. */
export async function rolloutCounts(
  database: Database,
  tenantId: string,
  rolloutId: string,
): Promise<Record<RolloutDeviceStatus, number>> {
  const rows = await database.db
    .select({ status: rolloutDevices.status, n: sql<number>`count(*)::int` })
    .from(rolloutDevices)
    .where(inRollout(tenantId, rolloutId))
    .groupBy(rolloutDevices.status);
  const counts = noRolloutCounts();
  for (const r of rows) counts[r.status as RolloutDeviceStatus] = r.n;
  return counts;
}

/** The projected twins of some devices (state included), keyed by device id. */
export async function twinsOf(
  database: Database,
  tenantId: string,
  deviceIds: string[],
): Promise<Map<string, DeviceTwinState>> {
  if (deviceIds.length === 0) return new Map();
  const rows = await database.db
    .select({ deviceId: deviceTwins.deviceId, state: deviceTwins.state })
    .from(deviceTwins)
    .where(and(eq(deviceTwins.tenantId, tenantId), inArray(deviceTwins.deviceId, deviceIds)));
  return new Map(rows.map((r) => [r.deviceId, r.state]));
}

/** A rollout device's row with what its record says now: a wave's one read per batch or poll. */
export interface WaveDeviceRecord {
  deviceId: string;
  status: RolloutDeviceStatus;
  attempts: number;
  commandedAt: string | null;
  sessionAtCommand: string | null;
  detail: string | null;
  /** See `rollout_devices.answer`: null before the command was handed to the device. */
  answer: string | null;
  /** The device's record (null when the device is gone). */
  device: {
    lifecycle: string;
    online: boolean;
    sessionId: string | null;
    gatewayNode: string | null;
    protocol: string | null;
    model: string | null;
    /** What it said when it connected (hello, boot). */
    firmware: string | null;
    /** `firmware` in its reports (a string or `{ version }`: MQTT devices). */
    reportedFirmware: unknown;
    hardwareRevision: unknown;
  } | null;
}

/**
 * These devices' rollout rows joined with their records (lifecycle, connectivity with session
 * and gateway node, model, firmware) in ONE query, whatever the number of devices.
 */
export async function waveDeviceRecords(
  database: Database,
  tenantId: string,
  rolloutId: string,
  deviceIds: readonly string[],
): Promise<WaveDeviceRecord[]> {
  if (deviceIds.length === 0) return [];
  const rows = await database.sql<
    Array<Omit<WaveDeviceRecord, 'device'> & { found: boolean } & WaveDeviceRecord['device']>
  >`
    select r.device_id as "deviceId", r.status, r.attempts,
      r.commanded_at as "commandedAt", r.session_at_command as "sessionAtCommand",
      r.detail, r.answer, t.device_id is not null as found,
      t.state->'lifecycle'->>'state' as lifecycle,
      coalesce(t.state->'connectivity'->>'status' = 'online', false) as online,
      t.state->'connectivity'->>'sessionId' as "sessionId",
      t.state->'connectivity'->>'gatewayNode' as "gatewayNode",
      t.state->'connectivity'->>'protocol' as protocol,
      t.state->>'model' as model, t.state->>'firmware' as firmware,
      t.state->'shadow'->'reported'->'firmware' as "reportedFirmware",
      t.state->'shadow'->'reported'->'hardwareRevision' as "hardwareRevision"
    from rollout_devices r
    left join device_twins t on t.tenant_id = r.tenant_id and t.device_id = r.device_id
    where r.tenant_id = ${tenantId} and r.rollout_id = ${rolloutId}
      and r.device_id = any(${deviceIds as string[]})`;
  return rows.map((r) => ({
    deviceId: r.deviceId,
    status: r.status,
    attempts: r.attempts,
    commandedAt: r.commandedAt ? new Date(r.commandedAt).toISOString() : null,
    sessionAtCommand: r.sessionAtCommand,
    detail: r.detail,
    answer: r.answer,
    device: r.found
      ? {
          lifecycle: r.lifecycle,
          online: r.online,
          sessionId: r.sessionId,
          gatewayNode: r.gatewayNode,
          protocol: r.protocol,
          model: r.model,
          firmware: r.firmware,
          reportedFirmware: r.reportedFirmware,
          hardwareRevision: r.hardwareRevision,
        }
      : null,
  }));
}

/** Several devices of a rollout commanded (attempt, time, connection) in one statement. */
export async function commandRolloutDevices(
  database: Database,
  tenantId: string,
  rolloutId: string,
  rows: ReadonlyArray<{
    deviceId: string;
    attempt: number;
    commandedAt: string;
    sessionAtCommand: string | null;
  }>,
): Promise<void> {
  if (rows.length === 0) return;
  const batch = JSON.stringify(
    rows.map((r) => ({
      device_id: r.deviceId,
      attempts: r.attempt,
      commanded_at: r.commandedAt,
      session_at_command: r.sessionAtCommand,
    })),
  );
  await database.sql`
    update rollout_devices r set status = 'commanded', attempts = v.attempts,
      commanded_at = v.commanded_at, session_at_command = v.session_at_command,
      detail = null, answer = null, result = null, updated_at = now()
    from jsonb_to_recordset(${batch}::jsonb)
      as v(device_id text, attempts int, commanded_at timestamptz, session_at_command text)
    where r.tenant_id = ${tenantId} and r.rollout_id = ${rolloutId} and r.device_id = v.device_id`;
  await notifyRollout(database, tenantId, rolloutId);
}

/** Several devices of a rollout settled (skipped, succeeded, failed, aborted) in one statement. */
export async function settleRolloutDevices(
  database: Database,
  tenantId: string,
  rolloutId: string,
  rows: ReadonlyArray<{
    deviceId: string;
    status: RolloutDeviceStatus;
    detail: string | null;
    finishedAt: string | null;
  }>,
): Promise<void> {
  if (rows.length === 0) return;
  const batch = JSON.stringify(
    rows.map((r) => ({
      device_id: r.deviceId,
      status: r.status,
      detail: r.detail,
      finished_at: r.finishedAt,
    })),
  );
  await database.sql`
    update rollout_devices r set status = v.status, detail = v.detail,
      finished_at = v.finished_at, updated_at = now()
    from jsonb_to_recordset(${batch}::jsonb)
      as v(device_id text, status text, detail text, finished_at timestamptz)
    where r.tenant_id = ${tenantId} and r.rollout_id = ${rolloutId} and r.device_id = v.device_id`;
  await notifyRollout(database, tenantId, rolloutId);
}

/** Where a rollout's command to a device stands, as the gateway that holds the device saw it. */
export interface RolloutAnswer {
  tenantId: string;
  rolloutId: string;
  deviceId: string;
  /** The attempt the command belongs to: an answer to an earlier attempt changes nothing. */
  attempt: number;
  answer: 'handed' | 'accepted' | 'rejected' | 'failed' | 'timeout';
  /** What the device answered with (a bulk command's result). */
  result?: Record<string, unknown> | null;
}

/**
 * Records answers of devices to rollout commands (the gateway, in batches): only on the row of
 * the same attempt while it is commanded; `handed` only before any answer.
 */
export async function recordRolloutAnswers(
  database: Database,
  answers: readonly RolloutAnswer[],
): Promise<void> {
  if (answers.length === 0) return;
  // One row per device and attempt: an answer wins over `handed` whichever came first.
  const latest = new Map<string, RolloutAnswer>();
  for (const a of answers) {
    const key = JSON.stringify([a.tenantId, a.rolloutId, a.deviceId, a.attempt]);
    if (a.answer !== 'handed' || latest.get(key)?.answer === undefined) latest.set(key, a);
  }
  const batch = JSON.stringify(
    [...latest.values()].map((a) => ({
      tenant_id: a.tenantId,
      rollout_id: a.rolloutId,
      device_id: a.deviceId,
      attempts: a.attempt,
      answer: a.answer,
      result: a.result ?? null,
    })),
  );
  await database.sql`
    update rollout_devices r set answer = v.answer,
      result = case when v.answer = 'handed' then r.result else v.result end, updated_at = now()
    from jsonb_to_recordset(${batch}::jsonb)
      as v(tenant_id text, rollout_id text, device_id text, attempts int, answer text, result jsonb)
    where r.tenant_id = v.tenant_id and r.rollout_id = v.rollout_id
      and r.device_id = v.device_id and r.attempts = v.attempts and r.status = 'commanded'
      and (v.answer <> 'handed' or r.answer is null)`;
  for (const key of new Set(answers.map((a) => `${a.tenantId}:${a.rolloutId}`)))
    await database.db.execute(sql`select pg_notify(${ROLLOUT_CHANNEL}, ${key})`);
}

import { and, desc, eq, gte, lte, sql as dsql } from 'drizzle-orm';
import type { TransactionSql } from 'postgres';
import type { DeviceKey } from '../twins/ids';
import type { Database } from './client';
import type { SteadyLesson, SteadyPairs } from './alarm-steady';
import {
  deviceKeyOf,
  evaluateAlarms,
  flattenFields,
  type AlarmDatapoint,
  type RulesOf,
} from './alarm-evaluation';
import { telemetry } from './schema/telemetry';

export interface TelemetryRow {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly at: string;
  readonly values: Record<string, unknown>;
  /** '' for a device with one source of measurements. */
  readonly channel?: string;
}

/**
 * How a batch met the alarm rules: none of its tenants has any; every sample left the states
 * the gateway knows as they were (no statement beyond the INSERT); judged in the transaction.
 */
export type AlarmPath = 'none' | 'steady' | 'judged';

/**
 * One INSERT of the whole batch in one statement (its own transaction); a sample already stored
 * is skipped (idempotent). The batch travels as one JSON parameter that PostgreSQL expands
 * with jsonb_to_recordset: building the statement costs next to nothing whatever the batch size
 * (a multi-row VALUES built by the query builder cost more CPU than the gateway's own work) and
 * never meets the 65,535-parameter limit.
 */
export async function insertTelemetry(
  database: Database,
  rows: readonly TelemetryRow[],
  rulesOf?: RulesOf,
  steady?: SteadyPairs,
): Promise<AlarmPath> {
  if (rows.length === 0) return 'none';
  // With alarm rules for a tenant of the batch: the samples and their alarms in one
  // transaction — unless every sample leaves the states it meets as they are (alarm-steady.ts).
  let path: AlarmPath = 'none';
  if (rulesOf && rows.some((r) => rulesOf(r.tenantId).length > 0)) {
    const datapoints = rows.map(datapointOf);
    // The devices with a sample that may change a state: only theirs are judged (a device's
    // samples that all leave its states as they are change nothing, in any order).
    const unsettled = new Set<string>();
    if (steady)
      for (const d of datapoints)
        if (!steady.settles(d, rulesOf)) unsettled.add(deviceKeyOf(d.tenantId, d.deviceId));
    if (!steady || unsettled.size > 0) {
      const lessons: SteadyLesson[] = [];
      const judged = steady
        ? (d: AlarmDatapoint) => unsettled.has(deviceKeyOf(d.tenantId, d.deviceId))
        : () => true;
      await database.sql.begin((tx) =>
        insertAndEvaluate(
          database,
          tx,
          rows,
          datapoints.map((d) => (judged(d) ? d : null)),
          rulesOf,
          steady ? { pairs: steady, lessons } : undefined,
        ),
      );
      for (const lesson of lessons) steady!.learn(lesson);
      return 'judged';
    }
    path = 'steady';
  }
  const batch = batchOf(rows);
  await database.sql`
    insert into telemetry (tenant_id, device_id, channel, at, values)
    select tenant_id, device_id, channel, at, values
    from jsonb_to_recordset(${batch}::jsonb)
      as r(tenant_id text, device_id text, channel text, at timestamptz, values jsonb)
    on conflict do nothing`;
  return path;
}

/**
 * The samples not stored before, judged against the alarm rules of their devices. The INSERT
 * answers with the positions of the samples it skipped (stored before: a device's retry), so
 * the common batch — every sample new — costs one row of answer, not one per sample.
 */
async function insertAndEvaluate(
  database: Database,
  tx: TransactionSql,
  rows: readonly TelemetryRow[],
  /** Each row's datapoint, or null where it needs no judging. */
  datapoints: ReadonlyArray<AlarmDatapoint | null>,
  rulesOf: RulesOf,
  steady: Parameters<typeof evaluateAlarms>[4],
): Promise<void> {
  const skipped = await tx<{ n: number }[]>`
    with r as (
      select tenant_id, device_id, channel, at, values, n
      from rows from (jsonb_to_recordset(${batchOf(rows)}::jsonb)
        as (tenant_id text, device_id text, channel text, at timestamptz, values jsonb))
        with ordinality as r(tenant_id, device_id, channel, at, values, n)
    ), stored as (
      insert into telemetry (tenant_id, device_id, channel, at, values)
      select tenant_id, device_id, channel, at, values from r
      on conflict do nothing
      returning tenant_id, device_id, channel, at
    )
    select (n - 1)::int as n from r
    where not exists (
      select 1 from stored s
      where s.tenant_id = r.tenant_id and s.device_id = r.device_id
        and s.channel = r.channel and s.at = r.at)`;
  const old = new Set(skipped.map((s) => s.n));
  await evaluateAlarms(
    database,
    tx,
    datapoints.filter((d, i): d is AlarmDatapoint => d !== null && !old.has(i)),
    rulesOf,
    steady,
  );
}

const datapointOf = (row: TelemetryRow): AlarmDatapoint => ({
  tenantId: row.tenantId,
  deviceId: row.deviceId,
  at: Date.parse(row.at),
  fields: flattenFields(row.values),
});

const batchOf = (rows: readonly TelemetryRow[]) =>
  JSON.stringify(
    rows.map((r) => ({
      tenant_id: r.tenantId,
      device_id: r.deviceId,
      channel: r.channel ?? '',
      at: r.at,
      values: r.values,
    })),
  );

/** A device's samples, newest first. */
export async function readTelemetry(
  database: Database,
  key: DeviceKey,
  range: { from?: string; to?: string; last: number },
): Promise<TelemetryRow[]> {
  return database.db
    .select({
      tenantId: telemetry.tenantId,
      deviceId: telemetry.deviceId,
      // ISO 8601, as JSON spells a timestamptz (PostgreSQL's text form is not ISO).
      at: dsql<string>`to_json(${telemetry.at}) #>> '{}'`,
      channel: telemetry.channel,
      values: telemetry.values,
    })
    .from(telemetry)
    .where(
      and(
        eq(telemetry.tenantId, key.tenantId),
        eq(telemetry.deviceId, key.deviceId),
        range.from ? gte(telemetry.at, range.from) : undefined,
        range.to ? lte(telemetry.at, range.to) : undefined,
      ),
    )
    .orderBy(desc(telemetry.at))
    .limit(range.last);
}

export const telemetryCount = (database: Database, key: DeviceKey) =>
  database.db
    .select({ n: dsql<number>`count(*)::int` })
    .from(telemetry)
    .where(and(eq(telemetry.tenantId, key.tenantId), eq(telemetry.deviceId, key.deviceId)))
    .then((r) => r[0]?.n ?? 0);

import { and, desc, eq, gte, lte, sql as dsql } from 'drizzle-orm';
import type { TransactionSql } from 'postgres';
import type { DeviceKey } from '../twins/ids';
import type { Database } from './client';
import { evaluateAlarms, flattenFields, type RulesOf } from './alarm-evaluation';
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
): Promise<void> {
  if (rows.length === 0) return;
  // With alarm rules for a tenant of the batch: the samples and their alarms in one transaction.
  if (rulesOf && rows.some((r) => rulesOf(r.tenantId).length > 0)) {
    await database.sql.begin((tx) => insertAndEvaluate(database, tx, rows, rulesOf));
    return;
  }
  const batch = batchOf(rows);
  await database.sql`
    insert into telemetry (tenant_id, device_id, channel, at, values)
    select tenant_id, device_id, channel, at, values
    from jsonb_to_recordset(${batch}::jsonb)
      as r(tenant_id text, device_id text, channel text, at timestamptz, values jsonb)
    on conflict do nothing`;
}

/** The samples not stored before, judged against the alarm rules of their devices. */
async function insertAndEvaluate(
  database: Database,
  tx: TransactionSql,
  rows: readonly TelemetryRow[],
  rulesOf: RulesOf,
): Promise<void> {
  const inserted = await tx<
    { tenant_id: string; device_id: string; channel: string; ms: number }[]
  >`
    insert into telemetry (tenant_id, device_id, channel, at, values)
    select tenant_id, device_id, channel, at, values
    from jsonb_to_recordset(${batchOf(rows)}::jsonb)
      as r(tenant_id text, device_id text, channel text, at timestamptz, values jsonb)
    on conflict do nothing
    returning tenant_id, device_id, channel, (extract(epoch from at) * 1000)::float8 as ms`;
  const fresh = new Set(
    inserted.map((r) => `${r.tenant_id}\u0000${r.device_id}\u0000${r.channel}\u0000${r.ms}`),
  );
  await evaluateAlarms(
    database,
    tx,
    rows
      .map((r) => ({ row: r, at: Date.parse(r.at) }))
      .filter(({ row, at }) =>
        fresh.has(`${row.tenantId}\u0000${row.deviceId}\u0000${row.channel ?? ''}\u0000${at}`),
      )
      .map(({ row, at }) => ({
        tenantId: row.tenantId,
        deviceId: row.deviceId,
        at,
        fields: flattenFields(row.values),
      })),
    rulesOf,
  );
}

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

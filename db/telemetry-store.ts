import { and, desc, eq, gte, lte, sql as dsql } from 'drizzle-orm';
import type { DeviceKey } from '../twins/ids';
import type { Database } from './client';
import { telemetry } from './schema/telemetry';

export interface TelemetryRow {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly at: string;
  readonly values: Record<string, unknown>;
  /** '' for a device with one source of measurements. */
  readonly channel?: string;
}

/** One multi-row INSERT in one transaction; a sample already stored is skipped (idempotent). */
export async function insertTelemetry(
  database: Database,
  rows: readonly TelemetryRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await database.db
    .insert(telemetry)
    .values([...rows])
    .onConflictDoNothing();
}

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

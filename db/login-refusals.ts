import type { Database } from './client';

/** Refused logins of one device gathered by a gateway since its last flush. */
export interface LoginRefusal {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly count: number;
  readonly firstAt: string;
  readonly lastAt: string;
  readonly lastCode: string;
}

/**
 * Adds a gateway's gathered refusals to `device_login_refusals` in one statement: the counts
 * add up, the newest refusal's code and time win. Only devices that have a record get a row:
 * guessed names cost an attacker nothing here and fill no table.
 */
export async function recordLoginRefusals(
  database: Database,
  refusals: readonly LoginRefusal[],
): Promise<void> {
  if (refusals.length === 0) return;
  const rows = JSON.stringify(
    refusals.map((r) => ({
      tenant_id: r.tenantId,
      device_id: r.deviceId,
      count: r.count,
      first_at: r.firstAt,
      last_at: r.lastAt,
      last_code: r.lastCode,
    })),
  );
  await database.sql`
    insert into device_login_refusals as f (tenant_id, device_id, count, first_at, last_at, last_code)
    select r.tenant_id, r.device_id, r.count, r.first_at, r.last_at, r.last_code
    from jsonb_to_recordset(${rows}::jsonb) as r(tenant_id text, device_id text, count bigint,
      first_at timestamptz, last_at timestamptz, last_code text)
    join device_twins d on d.tenant_id = r.tenant_id and d.device_id = r.device_id
    order by r.tenant_id, r.device_id
    on conflict (tenant_id, device_id) do update set
      count = f.count + excluded.count,
      last_code = case when excluded.last_at >= f.last_at then excluded.last_code else f.last_code end,
      last_at = greatest(f.last_at, excluded.last_at)`;
}

/** A device's refused logins: how many, the first and the newest (its code), or null. */
export async function findLoginRefusals(
  database: Database,
  tenantId: string,
  deviceId: string,
): Promise<Omit<LoginRefusal, 'tenantId' | 'deviceId'> | null> {
  const [row] = await database.sql<
    { count: string; first_at: string | Date; last_at: string | Date; last_code: string }[]
  >`
    select count, first_at, last_at, last_code from device_login_refusals
    where tenant_id = ${tenantId} and device_id = ${deviceId}`;
  if (!row) return null;
  return {
    count: Number(row.count),
    firstAt: new Date(row.first_at).toISOString(),
    lastAt: new Date(row.last_at).toISOString(),
    lastCode: row.last_code,
  };
}

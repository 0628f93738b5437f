import type { Database } from './client';

/**
 * The station behind an EVSE of a published Location: the device bound to the asset now and
 * the protocol of its last connection; null for an unknown Location or EVSE (or no station).
 */
export async function evseStation(
  database: Database,
  tenantId: string,
  siteId: string,
  evseUid: string | undefined,
): Promise<{ deviceId: string; protocol: string | null } | null> {
  const [row] = await database.sql<{ device_id: string; protocol: string | null }[]>`
    select a.current_device_id as device_id, d.state -> 'connectivity' ->> 'protocol' as protocol
    from ocpi_locations l
    join assets a on a.tenant_id = l.tenant_id and a.site_id = l.site_id
    left join device_twins d on d.tenant_id = a.tenant_id and d.device_id = a.current_device_id
    where l.tenant_id = ${tenantId} and l.site_id = ${siteId} and l.publish
      and a.current_device_id is not null
      and (${evseUid ?? null}::text is null or a.asset_id = ${evseUid ?? null})
    order by a.asset_id
    limit 1`;
  return row ? { deviceId: row.device_id, protocol: row.protocol } : null;
}

/** A twin's command as the projection holds it: its status, or null when it is not there. */
export async function deviceCommandStatus(
  database: Database,
  tenantId: string,
  deviceId: string,
  commandId: string,
): Promise<string | null> {
  const [row] = await database.sql<{ status: string | null }[]>`
    select c ->> 'status' as status
    from device_twins d, jsonb_array_elements(d.state -> 'commands') c
    where d.tenant_id = ${tenantId} and d.device_id = ${deviceId} and c ->> 'id' = ${commandId}`;
  return row?.status ?? null;
}

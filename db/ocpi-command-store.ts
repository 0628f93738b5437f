import type { Database } from './client';
import { ocpiStationFilterSql, type OcpiStationFilter } from './ocpi-station-filter';

/**
 * The station behind an EVSE of a published Location: the device bound to the asset now and
 * the protocol of its last connection; null for an unknown Location or EVSE (or no station),
 * and for a station the party's filter does not let it see.
 */
export async function evseStation(
  database: Database,
  tenantId: string,
  siteId: string,
  evseUid: string | undefined,
  stations: OcpiStationFilter,
): Promise<{ deviceId: string; protocol: string | null } | null> {
  const [row] = await database.sql<{ device_id: string; protocol: string | null }[]>`
    select a.current_device_id as device_id, d.state -> 'connectivity' ->> 'protocol' as protocol
    from ocpi_locations l
    join assets a on a.tenant_id = l.tenant_id and a.site_id = l.site_id
    left join device_twins d on d.tenant_id = a.tenant_id and d.device_id = a.current_device_id
    where l.tenant_id = ${tenantId} and l.site_id = ${siteId} and l.publish
      and a.current_device_id is not null
      and (${evseUid ?? null}::text is null or a.asset_id = ${evseUid ?? null})
      and ${ocpiStationFilterSql(database, stations, 'd')}
    order by a.asset_id
    limit 1`;
  return row ? { deviceId: row.device_id, protocol: row.protocol } : null;
}

/**
 * A twin's command as the projection holds it: its OCPP action, its status and the `status`
 * of the station's answer; null when it is not there.
 */
export async function deviceCommandAnswer(
  database: Database,
  tenantId: string,
  deviceId: string,
  commandId: string,
): Promise<{ name: string; status: string; answerStatus: string | null } | null> {
  const [row] = await database.sql<
    { name: string; status: string | null; answer_status: string | null }[]
  >`
    select c ->> 'name' as name, c ->> 'status' as status,
      c -> 'result' ->> 'status' as answer_status
    from device_twins d, jsonb_array_elements(d.state -> 'commands') c
    where d.tenant_id = ${tenantId} and d.device_id = ${deviceId} and c ->> 'id' = ${commandId}`;
  return row?.status
    ? { name: row.name, status: row.status, answerStatus: row.answer_status }
    : null;
}

/** A charging session of the tenant, as STOP_SESSION needs it; null when there is none. */
export async function chargingSessionForStop(
  database: Database,
  tenantId: string,
  sessionId: number,
): Promise<{
  deviceId: string;
  protocol: string;
  transactionId: string | null;
  ended: boolean;
} | null> {
  const [row] = await database.sql<
    { device_id: string; protocol: string; transaction_id: string | null; ended: boolean }[]
  >`
    select device_id, protocol, transaction_id, stopped_at is not null as ended
    from charging_sessions where tenant_id = ${tenantId} and id = ${sessionId}`;
  return row
    ? {
        deviceId: row.device_id,
        protocol: row.protocol,
        transactionId: row.transaction_id,
        ended: row.ended,
      }
    : null;
}

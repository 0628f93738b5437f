import type { Database } from './client';

export interface OcpiReservationTarget {
  /** The OCPP reservation id. */
  readonly id: number;
  readonly deviceId: string;
}

/**
 * Keeps a party's reservation and gives its OCPP id: a reservation id the party used before
 * (and not expired) keeps its integer, so the station replaces that reservation. Also answers
 * the station the id was on before (to cancel it there when it moved), and drops the
 * tenant's expired reservations, which stations have dropped too.
 */
export async function keepOcpiReservation(
  database: Database,
  r: {
    tenantId: string;
    partyId: string;
    reservationId: string;
    deviceId: string;
    expiresAt: string;
  },
): Promise<{ id: number; previousDeviceId: string | null }> {
  return database.sql.begin(async (sql) => {
    await sql`delete from ocpi_reservations
      where tenant_id = ${r.tenantId} and expires_at < now()`;
    const [before] = await sql<{ device_id: string }[]>`
      select device_id from ocpi_reservations
      where tenant_id = ${r.tenantId} and ocpi_party_id = ${r.partyId}
        and reservation_id = ${r.reservationId}
      for update`;
    const [row] = await sql<{ id: number }[]>`
      insert into ocpi_reservations (tenant_id, ocpi_party_id, reservation_id, device_id, expires_at)
      values (${r.tenantId}, ${r.partyId}, ${r.reservationId}, ${r.deviceId}, ${r.expiresAt})
      on conflict (tenant_id, ocpi_party_id, reservation_id) do update
        set device_id = excluded.device_id, expires_at = excluded.expires_at, updated_at = now()
      returning id`;
    return { id: row!.id, previousDeviceId: before?.device_id ?? null };
  });
}

/** A party's reservation that has not expired; null when unknown. */
export async function findOcpiReservation(
  database: Database,
  tenantId: string,
  partyId: string,
  reservationId: string,
): Promise<OcpiReservationTarget | null> {
  const [row] = await database.sql<{ id: number; device_id: string }[]>`
    select id, device_id from ocpi_reservations
    where tenant_id = ${tenantId} and ocpi_party_id = ${partyId}
      and reservation_id = ${reservationId} and expires_at > now()`;
  return row ? { id: row.id, deviceId: row.device_id } : null;
}

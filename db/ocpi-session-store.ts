import { and, eq, sql } from 'drizzle-orm';
import type { Database } from './client';
import { ocpiSessions, type OcpiSessionSent } from './schema';
import type { SignedMeterValue } from '../twins/sessions';

export type { OcpiSessionSent };

/** One of an eMSP's sessions, with its charging session and (once closed) its record. */
export interface OcpiSessionRow {
  readonly sessionId: number;
  readonly via: string;
  readonly token: Record<string, unknown>;
  readonly authorizationReference: string | null;
  readonly locationId: string;
  readonly evseUid: string;
  readonly connectorId: string;
  readonly sent: OcpiSessionSent | null;
  readonly cdrSentAt: Date | null;
  readonly deviceId: string;
  readonly protocol: string;
  readonly evseId: number | null;
  readonly stationConnectorId: number | null;
  readonly startedAt: string;
  readonly stoppedAt: string | null;
  readonly meterStartWh: number | null;
  readonly meterStopWh: number | null;
  readonly lastUpdated: Date;
  readonly record: {
    readonly stoppedAt: string;
    readonly meterStartWh: number | null;
    readonly meterStopWh: number | null;
    readonly signedMeterData: SignedMeterValue[];
    readonly signatureVerdict: string | null;
    readonly recordedAt: Date;
  } | null;
}

type Raw = {
  session_id: number | null;
  via: string;
  token: Record<string, unknown>;
  authorization_reference: string | null;
  location_id: string;
  evse_uid: string;
  connector_id: string;
  sent: OcpiSessionSent | null;
  cdr_sent_at: Date | null;
  device_id: string;
  protocol: string;
  evse_id: number | null;
  station_connector_id: number | null;
  started_at: Date;
  stopped_at: Date | null;
  meter_start_wh: number | null;
  meter_stop_wh: number | null;
  last_updated: Date;
  record_stopped_at: Date | null;
  record_meter_start_wh: number | null;
  record_meter_stop_wh: number | null;
  signed_meter_data: SignedMeterValue[] | null;
  signature_verdict: string | null;
  recorded_at: Date | null;
  total: string;
};

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

const toRow = (r: Raw): OcpiSessionRow => ({
  sessionId: r.session_id!,
  via: r.via,
  token: r.token,
  authorizationReference: r.authorization_reference,
  locationId: r.location_id,
  evseUid: r.evse_uid,
  connectorId: r.connector_id,
  sent: r.sent,
  cdrSentAt: r.cdr_sent_at,
  deviceId: r.device_id,
  protocol: r.protocol,
  evseId: r.evse_id,
  stationConnectorId: r.station_connector_id,
  startedAt: iso(r.started_at)!,
  stoppedAt: iso(r.stopped_at),
  meterStartWh: r.meter_start_wh,
  meterStopWh: r.meter_stop_wh,
  lastUpdated: new Date(r.last_updated),
  record:
    r.recorded_at === null
      ? null
      : {
          stoppedAt: iso(r.record_stopped_at)!,
          meterStartWh: r.record_meter_start_wh,
          meterStopWh: r.record_meter_stop_wh,
          signedMeterData: r.signed_meter_data ?? [],
          signatureVerdict: r.signature_verdict,
          recordedAt: new Date(r.recorded_at),
        },
});

/**
 * An eMSP's sessions, with their charging sessions and records: `open` (still to push or to
 * send a CDR of), or a page of them — all, or only those with a record (`cdrs`) — in OCPI's
 * date window on last_updated (a CDR's: when its record was written).
 */
export async function ocpiSessionRows(
  database: Database,
  tenantId: string,
  partyId: string,
  which:
    | { kind: 'open' }
    | {
        kind: 'sessions' | 'cdrs';
        offset: number;
        limit: number;
        dateFrom?: Date;
        dateTo?: Date;
      },
): Promise<{ rows: OcpiSessionRow[]; total: number }> {
  const page = which.kind === 'open' ? null : which;
  const from = page?.dateFrom?.toISOString() ?? null;
  const to = page?.dateTo?.toISOString() ?? null;
  const rows = await database.sql<Raw[]>`
    with owned as (
      select o.session_id, o.via, o.token, o.authorization_reference, o.location_id, o.evse_uid,
        o.connector_id, o.sent, o.cdr_sent_at, cs.device_id, cs.protocol, cs.evse_id,
        cs.connector_id as station_connector_id,
        coalesce(cs.started_at, cs.created_at) as started_at, cs.stopped_at,
        cs.meter_start_wh, cs.meter_stop_wh,
        r.stopped_at as record_stopped_at, r.meter_start_wh as record_meter_start_wh,
        r.meter_stop_wh as record_meter_stop_wh, r.signed_meter_data, r.signature_verdict,
        r.recorded_at,
        case when ${which.kind} = 'cdrs' then r.recorded_at
          else greatest(o.updated_at, cs.updated_at, r.recorded_at) end as last_updated
      from ocpi_sessions o
      join charging_sessions cs on cs.tenant_id = o.tenant_id and cs.id = o.session_id
      left join session_records r on r.tenant_id = cs.tenant_id and r.device_id = cs.device_id
        and r.protocol = cs.protocol and r.session_key = 'tx:' || cs.transaction_id
      where o.tenant_id = ${tenantId} and o.party_id = ${partyId}
        and (${which.kind} <> 'open' or o.cdr_sent_at is null)
        and (${which.kind} <> 'cdrs' or r.recorded_at is not null)
    ),
    windowed as (
      select * from owned
      where (${from}::timestamptz is null or last_updated >= ${from}::timestamptz)
        and (${to}::timestamptz is null or last_updated < ${to}::timestamptz)
    )
    -- The total comes back even for a page past the end (one row of nulls then).
    select w.*, t.total from (select count(*) as total from windowed) t
    left join lateral (
      select * from windowed order by session_id
      offset ${page?.offset ?? 0} limit ${page?.limit ?? 200}) w on true
    order by w.session_id`;
  return {
    rows: rows.filter((r) => r.session_id !== null).map(toRow),
    total: Number(rows[0]?.total ?? 0),
  };
}

/** The energy register (Wh) of a station's connector or EVSE between two times (telemetry). */
export async function energyReadings(
  database: Database,
  tenantId: string,
  deviceId: string,
  channel: string,
  from: string,
  to: string | null,
): Promise<Array<{ at: string; wh: number }>> {
  const rows = await database.sql<{ at: Date; wh: number }[]>`
    select at, (values ->> 'Energy.Active.Import.Register')::float8 as wh from telemetry
    where tenant_id = ${tenantId} and device_id = ${deviceId} and channel = ${channel}
      and at >= ${from}::timestamptz
      and (${to}::timestamptz is null or at <= ${to}::timestamptz)
      and jsonb_typeof(values -> 'Energy.Active.Import.Register') = 'number'
    order by at limit 1000`;
  return rows.map((r) => ({ at: new Date(r.at).toISOString(), wh: r.wh }));
}

/** Remembers what the eMSP now holds of a session (after a 2xx/1xxx PUT or PATCH). */
export async function markOcpiSessionSent(
  database: Database,
  tenantId: string,
  sessionId: number,
  sent: OcpiSessionSent,
): Promise<void> {
  await database.db
    .update(ocpiSessions)
    .set({ sent, updatedAt: sql`now()` })
    .where(and(eq(ocpiSessions.tenantId, tenantId), eq(ocpiSessions.sessionId, sessionId)));
}

/** The CDR reached the eMSP: when, and where it keeps it (its Location header). */
export async function markOcpiCdrSent(
  database: Database,
  tenantId: string,
  sessionId: number,
  location: string | null,
): Promise<void> {
  await database.db
    .update(ocpiSessions)
    .set({ cdrSentAt: sql`now()`, cdrLocation: location })
    .where(and(eq(ocpiSessions.tenantId, tenantId), eq(ocpiSessions.sessionId, sessionId)));
}

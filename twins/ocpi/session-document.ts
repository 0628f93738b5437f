import type { OcpiSignedData } from '../sessions';
import { chargedKwh, chargingPeriods, sessionPoints, type EnergyReading } from './charging-periods';
import { tariffCost } from './tariff-cost';

/** Everything an OCPI Session or CDR of one charging session is made of. */
export interface OcpiSessionFacts {
  /** Doppel's identity towards the eMSP. */
  readonly party: { readonly cpoCountryCode: string; readonly cpoPartyId: string };
  /** charging_sessions.id: the Session's and the CDR's id. */
  readonly sessionId: number;
  readonly via: string;
  readonly token: Record<string, unknown>;
  readonly authorizationReference: string | null;
  readonly locationId: string;
  readonly evseUid: string;
  readonly connectorId: string;
  readonly startedAt: string;
  readonly stoppedAt: string | null;
  readonly meterStartWh: number | null;
  readonly meterStopWh: number | null;
  /** The session's energy register readings (telemetry), any order. */
  readonly readings: readonly EnergyReading[];
  readonly currency: string;
  /** The tariff of the EVSE's connector (an OCPI Tariff object), if one applies. */
  readonly tariff: Record<string, unknown> | null;
  readonly lastUpdated: string;
}

/** What a CDR adds: where (the Location as it is), the record and its signed meter values. */
export interface OcpiCdrFacts extends OcpiSessionFacts {
  readonly location: {
    readonly name: string;
    readonly details: Record<string, unknown>;
    readonly evseId: string | null;
    readonly connector: { standard: string; format: string; power_type: string };
  };
  readonly stoppedAt: string;
  readonly signedData: OcpiSignedData | null;
  /** The worst verdict of the signed values' checks against the registered meter key. */
  readonly signatureVerdict: string | null;
  /** The meter's serial number as its signed values name it (OCMF `MS`). */
  readonly meterId: string | null;
  readonly recordedAt: string;
}

const pick = (o: Record<string, unknown>, keys: readonly string[]) =>
  Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));

/** OCPI's CdrToken: the Token's identity, as the eMSP sent it. */
const cdrToken = (token: Record<string, unknown>) =>
  pick(token, ['country_code', 'party_id', 'uid', 'type', 'contract_id']);

/** OCPI's AuthMethod: a START_SESSION, a real-time authorisation, else the token cache. */
const authMethod = (via: string) =>
  via === 'start-session' ? 'COMMAND' : via === 'authorize' ? 'AUTH_REQUEST' : 'WHITELIST';

function points(f: OcpiSessionFacts) {
  const firstWh = f.meterStartWh ?? f.readings[0]?.wh ?? 0;
  const end =
    f.stoppedAt === null
      ? null
      : { at: f.stoppedAt, wh: f.meterStopWh ?? f.readings.at(-1)?.wh ?? firstWh };
  return sessionPoints({ at: f.startedAt, wh: firstWh }, f.readings, end);
}

const hoursOf = (from: string, to: string) =>
  Math.round(Math.max(0, Date.parse(to) - Date.parse(from)) / 36) / 100_000;

/**
 * A charging session as an OCPI 2.2.1 Session of the CPO `party` names: ACTIVE while it runs,
 * COMPLETED once the station stopped it; kwh and charging periods from the meter values.
 */
export function sessionDocument(f: OcpiSessionFacts) {
  const at = points(f);
  const kwh = chargedKwh(at);
  const tariffId = typeof f.tariff?.id === 'string' ? f.tariff.id : undefined;
  const cost = f.tariff
    ? tariffCost(f.tariff as never, kwh, hoursOf(f.startedAt, f.stoppedAt ?? f.lastUpdated))
    : null;
  return {
    country_code: f.party.cpoCountryCode,
    party_id: f.party.cpoPartyId,
    id: String(f.sessionId),
    start_date_time: new Date(f.startedAt).toISOString(),
    ...(f.stoppedAt ? { end_date_time: new Date(f.stoppedAt).toISOString() } : {}),
    kwh,
    cdr_token: cdrToken(f.token),
    auth_method: authMethod(f.via),
    ...(f.authorizationReference ? { authorization_reference: f.authorizationReference } : {}),
    location_id: f.locationId,
    evse_uid: f.evseUid,
    connector_id: f.connectorId,
    currency: f.currency,
    charging_periods: chargingPeriods(at, tariffId),
    ...(cost ? { total_cost: cost.total } : {}),
    status: f.stoppedAt ? 'COMPLETED' : 'ACTIVE',
    last_updated: new Date(f.lastUpdated).toISOString(),
  };
}

/**
 * A closed session's record as an OCPI 2.2.1 CDR: where it happened (the Location as it is
 * now), the charging periods from the meter values, the cost under the EVSE's tariff, and
 * the signed meter values (OCMF) with the station's registered public key. The verdict of
 * their check goes in `remark`, OCPI having no field of its own for it.
 */
export function cdrDocument(f: OcpiCdrFacts) {
  const at = points(f);
  const kwh = chargedKwh(at);
  const hours = hoursOf(f.startedAt, f.stoppedAt);
  const tariffId = typeof f.tariff?.id === 'string' ? f.tariff.id : undefined;
  const cost = tariffCost(f.tariff as never, kwh, hours);
  const { details } = f.location;
  return {
    country_code: f.party.cpoCountryCode,
    party_id: f.party.cpoPartyId,
    id: String(f.sessionId),
    start_date_time: new Date(f.startedAt).toISOString(),
    end_date_time: new Date(f.stoppedAt).toISOString(),
    session_id: String(f.sessionId),
    cdr_token: cdrToken(f.token),
    auth_method: authMethod(f.via),
    ...(f.authorizationReference ? { authorization_reference: f.authorizationReference } : {}),
    cdr_location: {
      id: f.locationId,
      name: f.location.name.slice(0, 255),
      ...pick(details, ['address', 'city', 'postal_code', 'state', 'country', 'coordinates']),
      evse_uid: f.evseUid,
      evse_id: f.location.evseId ?? f.evseUid,
      connector_id: f.connectorId,
      connector_standard: f.location.connector.standard,
      connector_format: f.location.connector.format,
      connector_power_type: f.location.connector.power_type,
    },
    currency: f.currency,
    ...(f.tariff ? { tariffs: [f.tariff] } : {}),
    charging_periods: chargingPeriods(at, tariffId),
    ...(f.meterId ? { meter_id: f.meterId.slice(0, 255) } : {}),
    ...(f.signedData ? { signed_data: f.signedData } : {}),
    total_cost: cost.total,
    ...(f.tariff
      ? {
          total_fixed_cost: cost.fixed,
          total_energy_cost: cost.energy,
          total_time_cost: cost.time,
        }
      : {}),
    total_energy: kwh,
    total_time: hours,
    ...(f.signatureVerdict ? { remark: `OCMF signatures: ${f.signatureVerdict}` } : {}),
    last_updated: new Date(f.recordedAt).toISOString(),
  };
}

import type { z } from 'zod';
import { chargingSessionForStop, evseStation } from '../../db/ocpi-command-store';
import { findOcpiReservation, keepOcpiReservation } from '../../db/ocpi-reservation-store';
import { ocpiPartyStationFilter } from '../../db/ocpi-station-filter';
import { ocpiSessionBelongsToParty } from '../../db/ocpi-session-owner';
import {
  startSession,
  startSessionCall,
  type StartSession,
  unlockConnector,
  unlockConnectorCall,
  type OcppCall,
} from '../../twins/ocpi/commands';
import {
  cancelReservation,
  cancelReservationCall,
  reservationKey,
  reserveNow,
  reserveNowCall,
} from '../../twins/ocpi/reservation-commands';
import { chargingSessionId, stopSession, stopSessionCall } from '../../twins/ocpi/session-commands';
import { zodReasons } from './credentials-object';
import { OCPI_STATUS, OcpiError } from './envelope';
import type { OcpiDeps } from './ocpi-deps';

/** Where a command goes: the station (its twin), the OCPP call for it, and where the result goes. */
export interface CommandTarget {
  readonly deviceId: string;
  readonly call: OcppCall;
  readonly responseUrl: string;
  /** Sent to another station before the command: a reservation that moved is cancelled there. */
  readonly before?: { readonly deviceId: string; readonly call: OcppCall };
  /** START_SESSION: what the session it opens is attributed by (db/ocpi-session-party.ts). */
  readonly started?: StartSession;
}

/** A command Doppel answers at once without a station: OCPI's CommandResponseType and why. */
export interface CommandRefusal {
  readonly refused: 'REJECTED' | 'UNKNOWN_SESSION' | 'NOT_SUPPORTED';
  readonly message: string;
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new OcpiError(
      'ocpi:input.command',
      400,
      OCPI_STATUS.invalidParameters,
      zodReasons(parsed.error),
    );
  return parsed.data;
}

/**
 * The station of an EVSE the party sees: one its OCPI backends do not match is, to it, not
 * there (docs/backends.md, "OCPI parties").
 */
async function stationAt(
  deps: OcpiDeps,
  party: { tenantId: string; partyId: string },
  locationId: string,
  evseUid?: string,
) {
  const stations = await ocpiPartyStationFilter(deps.database, party.tenantId, party.partyId);
  const station = await evseStation(deps.database, party.tenantId, locationId, evseUid, stations);
  if (!station)
    throw new OcpiError(
      'ocpi:location.not-found',
      404,
      OCPI_STATUS.unknownLocation,
      `no station at location ${locationId}${evseUid ? ` EVSE ${evseUid}` : ''}`,
    );
  return { deviceId: station.deviceId, protocol: station.protocol ?? 'ocpp1.6' };
}

/**
 * Reads a command's object and finds its station: an EVSE (START_SESSION, UNLOCK_CONNECTOR,
 * RESERVE_NOW), a charging session (STOP_SESSION) or a reservation (CANCEL_RESERVATION).
 * Throws 400/2001 for a body that is not the command's object, 404/2003 for a Location or EVSE
 * without a station; answers a refusal for a session or reservation the party may not use.
 */
export async function commandTarget(
  deps: OcpiDeps,
  party: { tenantId: string; partyId: string },
  type: string,
  body: unknown,
): Promise<CommandTarget | CommandRefusal> {
  const { tenantId, partyId } = party;
  switch (type) {
    case 'START_SESSION': {
      const command = parse(startSession, body);
      const station = await stationAt(deps, party, command.location_id, command.evse_uid);
      const remoteStartId = Math.floor(Math.random() * 2 ** 31);
      return {
        deviceId: station.deviceId,
        call: startSessionCall(station.protocol, command, remoteStartId),
        responseUrl: command.response_url,
        started: command,
      };
    }
    case 'UNLOCK_CONNECTOR': {
      const command = parse(unlockConnector, body);
      const station = await stationAt(deps, party, command.location_id, command.evse_uid);
      return {
        deviceId: station.deviceId,
        call: unlockConnectorCall(station.protocol, command),
        responseUrl: command.response_url,
      };
    }
    case 'STOP_SESSION': {
      const command = parse(stopSession, body);
      const id = chargingSessionId(command.session_id);
      const session =
        id === null ? null : await chargingSessionForStop(deps.database, tenantId, id);
      if (id === null || !session)
        return { refused: 'UNKNOWN_SESSION', message: `no session ${command.session_id}` };
      if (!(await ocpiSessionBelongsToParty(deps.database, tenantId, partyId, id)))
        return { refused: 'REJECTED', message: `session ${id} is not one of this eMSP's` };
      if (session.ended) return { refused: 'REJECTED', message: `session ${id} has ended` };
      if (session.transactionId === null)
        return { refused: 'REJECTED', message: `session ${id} has no transaction id yet` };
      return {
        deviceId: session.deviceId,
        call: stopSessionCall(session.protocol, session.transactionId),
        responseUrl: command.response_url,
      };
    }
    case 'RESERVE_NOW': {
      const command = parse(reserveNow, body);
      if (Date.parse(command.expiry_date) <= Date.now())
        return { refused: 'REJECTED', message: `expiry_date ${command.expiry_date} has passed` };
      const station = await stationAt(deps, party, command.location_id, command.evse_uid);
      const kept = await keepOcpiReservation(deps.database, {
        tenantId,
        partyId,
        reservationId: reservationKey(command.reservation_id),
        deviceId: station.deviceId,
        expiresAt: command.expiry_date,
      });
      const moved = kept.previousDeviceId !== null && kept.previousDeviceId !== station.deviceId;
      return {
        deviceId: station.deviceId,
        call: reserveNowCall(station.protocol, command, kept.id),
        responseUrl: command.response_url,
        ...(moved
          ? { before: { deviceId: kept.previousDeviceId!, call: cancelReservationCall(kept.id) } }
          : {}),
      };
    }
    case 'CANCEL_RESERVATION': {
      const command = parse(cancelReservation, body);
      const reservation = await findOcpiReservation(
        deps.database,
        tenantId,
        partyId,
        reservationKey(command.reservation_id),
      );
      if (!reservation)
        return { refused: 'REJECTED', message: `no reservation ${command.reservation_id}` };
      return {
        deviceId: reservation.deviceId,
        call: cancelReservationCall(reservation.id),
        responseUrl: command.response_url,
      };
    }
    default:
      return { refused: 'NOT_SUPPORTED', message: `${type} is not supported by this CPO` };
  }
}

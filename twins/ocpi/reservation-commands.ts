import { z } from 'zod';
import type { OcppCall } from './commands';
import { id36, url } from './commands';

/** OCPI's DateTime: RFC 3339, UTC; without a zone designator it is UTC. Kept as an ISO instant. */
const dateTime = z
  .union([z.iso.datetime({ offset: true }), z.iso.datetime({ local: true })])
  .transform((value) => new Date(/(Z|[+-]\d\d:\d\d)$/i.test(value) ? value : `${value}Z`))
  .refine((date) => !Number.isNaN(date.getTime()), 'not a date-time')
  .transform((date) => date.toISOString());

export const reserveNow = z.object({
  response_url: url,
  token: z.looseObject({ uid: id36, type: z.string(), contract_id: id36 }),
  expiry_date: dateTime,
  reservation_id: id36,
  location_id: id36,
  evse_uid: id36.optional(),
  authorization_reference: id36.optional(),
});
export const cancelReservation = z.object({ response_url: url, reservation_id: id36 });
export type ReserveNow = z.infer<typeof reserveNow>;
export type CancelReservation = z.infer<typeof cancelReservation>;

/**
 * OCPI reservation ids are CiStrings (case-insensitive), OCPP's are integers: the key under
 * which the party's reservation id maps to the integer Doppel gave it.
 */
export const reservationKey = (reservationId: string) => reservationId.toLowerCase();

/**
 * RESERVE_NOW as the station's protocol says it, with the integer id Doppel keeps for the OCPI
 * reservation id. Doppel's EVSE is a station: with an `evse_uid` the reservation is for its
 * connector (1.6) or EVSE (2.0.1) 1; without, for any of the station's (1.6 connector 0,
 * 2.0.1 no evseId). 1.6's idTag is the token's uid, at most 20 characters.
 * @example reserveNowCall('ocpp1.6', reserve, 7) // { name: 'ReserveNow', params: { connectorId: 1, reservationId: 7, … } }
 */
export function reserveNowCall(
  protocol: string,
  command: Pick<ReserveNow, 'token' | 'expiry_date' | 'evse_uid'>,
  id: number,
): OcppCall {
  const one = command.evse_uid !== undefined;
  if (protocol === 'ocpp1.6')
    return {
      name: 'ReserveNow',
      params: {
        connectorId: one ? 1 : 0,
        expiryDate: command.expiry_date,
        idTag: command.token.uid.slice(0, 20),
        reservationId: id,
      },
    };
  return {
    name: 'ReserveNow',
    params: {
      id,
      expiryDateTime: command.expiry_date,
      idToken: { idToken: command.token.uid, type: 'Central' },
      ...(one ? { evseId: 1 } : {}),
    },
  };
}

/** CANCEL_RESERVATION: CancelReservation {reservationId} in both versions. */
export const cancelReservationCall = (id: number): OcppCall => ({
  name: 'CancelReservation',
  params: { reservationId: id },
});

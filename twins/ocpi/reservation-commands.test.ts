import { describe, expect, it } from 'vitest';
import {
  cancelReservationCall,
  reservationKey,
  reserveNow,
  reserveNowCall,
} from './reservation-commands';

const token = { uid: 'TOKEN-ABCDEFGHIJKLMNOPQRS', type: 'RFID', contract_id: 'C1' };
const expiry_date = '2026-12-05T15:00:00.000Z';

describe('RESERVE_NOW and CANCEL_RESERVATION as OCPP calls', () => {
  it('reserves in 1.6 with an integer id and a 20-character idTag, connector 1 for an EVSE, 0 for any', () => {
    expect(reserveNowCall('ocpp1.6', { token, expiry_date, evse_uid: 'bay-1' }, 7)).toEqual({
      name: 'ReserveNow',
      params: {
        connectorId: 1,
        expiryDate: expiry_date,
        idTag: 'TOKEN-ABCDEFGHIJKLMN',
        reservationId: 7,
      },
    });
    expect(reserveNowCall('ocpp1.6', { token, expiry_date }, 7).params.connectorId).toBe(0);
  });

  it('reserves in 2.0.1 with a Central idToken, evseId only for an EVSE', () => {
    expect(reserveNowCall('ocpp2.0.1', { token, expiry_date, evse_uid: 'bay-1' }, 8)).toEqual({
      name: 'ReserveNow',
      params: {
        id: 8,
        expiryDateTime: expiry_date,
        idToken: { idToken: 'TOKEN-ABCDEFGHIJKLMNOPQRS', type: 'Central' },
        evseId: 1,
      },
    });
    expect(reserveNowCall('ocpp2.0.1', { token, expiry_date }, 8).params).not.toHaveProperty(
      'evseId',
    );
  });

  it('cancels by the integer id in both versions', () => {
    expect(cancelReservationCall(7)).toEqual({
      name: 'CancelReservation',
      params: { reservationId: 7 },
    });
  });

  it('reads OCPI date-times as UTC instants (no zone designator is UTC) and refuses others', () => {
    const body = (expiry: string) => ({
      response_url: 'https://emsp.example/r/1',
      token,
      expiry_date: expiry,
      reservation_id: 'R-1',
      location_id: 'loc',
    });
    expect(reserveNow.parse(body('2026-12-05T15:00:00')).expiry_date).toBe(expiry_date);
    expect(reserveNow.parse(body('2026-12-05T16:00:00+01:00')).expiry_date).toBe(expiry_date);
    expect(reserveNow.safeParse(body('tomorrow')).success).toBe(false);
    expect(reserveNow.safeParse({ ...body(expiry_date), reservation_id: '' }).success).toBe(false);
  });

  it('keys reservation ids case-insensitively (OCPI CiString)', () => {
    expect(reservationKey('Res-1')).toBe(reservationKey('res-1'));
  });
});

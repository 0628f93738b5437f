import { describe, expect, it } from 'vitest';
import { startSessionCall, unlockConnectorCall } from './commands';

const token = { uid: 'TOKEN-ABCDEFGHIJKLMNOPQRS', type: 'RFID', contract_id: 'C1' };

describe('OCPI commands as OCPP calls', () => {
  it('starts a session: 1.6 RemoteStartTransaction (idTag ≤ 20), 2.0.1 RequestStartTransaction', () => {
    expect(startSessionCall('ocpp1.6', { token, connector_id: '2' }, 7)).toEqual({
      name: 'RemoteStartTransaction',
      params: { connectorId: 2, idTag: 'TOKEN-ABCDEFGHIJKLMN' },
    });
    expect(startSessionCall('ocpp2.0.1', { token, connector_id: '2-1' }, 7)).toEqual({
      name: 'RequestStartTransaction',
      params: {
        evseId: 2,
        remoteStartId: 7,
        idToken: { idToken: 'TOKEN-ABCDEFGHIJKLMNOPQRS', type: 'Central' },
      },
    });
    expect(startSessionCall('ocpp1.6', { token }, 7).params.connectorId).toBe(1);
  });

  it('unlocks a connector in either version', () => {
    const unlock = {
      response_url: 'https://e/x',
      location_id: 'l',
      evse_uid: 'e',
      connector_id: '1',
    };
    expect(unlockConnectorCall('ocpp1.6', unlock)).toEqual({
      name: 'UnlockConnector',
      params: { connectorId: 1 },
    });
    expect(unlockConnectorCall('ocpp2.0.1', unlock)).toEqual({
      name: 'UnlockConnector',
      params: { evseId: 1, connectorId: 1 },
    });
  });
});

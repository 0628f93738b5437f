import { describe, expect, it } from 'vitest';
import { chargingSessionId, stopSessionCall } from './session-commands';

describe('STOP_SESSION as OCPP calls', () => {
  it('stops 1.6 transactions by integer id, 2.0.1 transactions by the station’s string', () => {
    expect(stopSessionCall('ocpp1.6', '42')).toEqual({
      name: 'RemoteStopTransaction',
      params: { transactionId: 42 },
    });
    expect(stopSessionCall('ocpp2.0.1', 'tx-9a')).toEqual({
      name: 'RequestStopTransaction',
      params: { transactionId: 'tx-9a' },
    });
  });

  it.each([
    ['42', 42],
    ['2147483647', 2147483647],
    ['2147483648', null],
    ['042', null],
    ['0', null],
    ['-1', null],
    ['4.2', null],
    ['abc', null],
  ])('session id %s names charging session %s', (sessionId, id) => {
    expect(chargingSessionId(sessionId)).toBe(id);
  });
});

import { describe, expect, it } from 'vitest';
import { commandResult } from './command-result';

describe('a station’s answer as OCPI’s CommandResult', () => {
  it.each([
    ['RemoteStopTransaction', 'succeeded', 'Accepted', 'ACCEPTED'],
    ['RequestStopTransaction', 'rejected', 'Rejected', 'REJECTED'],
    ['UnlockConnector', 'succeeded', 'Unlocked', 'ACCEPTED'],
    ['UnlockConnector', 'rejected', 'UnlockFailed', 'FAILED'],
    ['UnlockConnector', 'rejected', 'NotSupported', 'NOT_SUPPORTED'],
    ['UnlockConnector', 'succeeded', 'UnknownConnector', 'REJECTED'],
    ['ReserveNow', 'succeeded', 'Accepted', 'ACCEPTED'],
    ['ReserveNow', 'rejected', 'Occupied', 'EVSE_OCCUPIED'],
    ['ReserveNow', 'rejected', 'Faulted', 'EVSE_INOPERATIVE'],
    ['ReserveNow', 'rejected', 'Unavailable', 'EVSE_INOPERATIVE'],
    ['ReserveNow', 'rejected', 'Rejected', 'REJECTED'],
    ['CancelReservation', 'succeeded', 'Accepted', 'ACCEPTED'],
    ['CancelReservation', 'rejected', 'Rejected', 'UNKNOWN_RESERVATION'],
    // The gateway refused the call before sending it (not a valid request): no answer.
    ['ReserveNow', 'rejected', null, 'REJECTED'],
    ['Reset', 'succeeded', null, 'ACCEPTED'],
    ['ReserveNow', 'failed', null, 'FAILED'],
    ['ReserveNow', 'timed-out', null, 'TIMEOUT'],
    ['ReserveNow', 'expired', null, 'TIMEOUT'],
    ['ReserveNow', 'pending', null, null],
    ['ReserveNow', 'sent', null, null],
  ])('%s %s with %s is %s', (name, status, answerStatus, result) => {
    expect(commandResult({ name, status, answerStatus })).toBe(result);
  });
});

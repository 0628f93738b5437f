/**
 * OCPP's answer `status` values and OCPI's CommandResultType for each (mod_commands 14.2).
 * OCPP 1.6 and 2.0.1 spell the same "no" several ways: Occupied is an EVSE in use, Faulted
 * and Unavailable an EVSE that cannot be used now.
 */
const BY_STATION_STATUS: Readonly<Record<string, string>> = {
  Accepted: 'ACCEPTED',
  Unlocked: 'ACCEPTED',
  Rejected: 'REJECTED',
  OngoingAuthorizedTransaction: 'REJECTED',
  UnknownConnector: 'REJECTED',
  Occupied: 'EVSE_OCCUPIED',
  Faulted: 'EVSE_INOPERATIVE',
  Unavailable: 'EVSE_INOPERATIVE',
  NotSupported: 'NOT_SUPPORTED',
  NotImplemented: 'NOT_SUPPORTED',
  UnlockFailed: 'FAILED',
};

/** A twin's command as far as the CommandResult needs it: the OCPP action, its status, the answer's `status`. */
export interface AnsweredCommand {
  readonly name: string;
  readonly status: string;
  /** The `status` field of the station's answer, when it sent one. */
  readonly answerStatus?: string | null | undefined;
}

/**
 * A twin's command as OCPI's CommandResultType; null while it is still open. The station's own
 * answer decides when it sent one (CancelReservation's Rejected means, in both OCPP versions,
 * "no such reservation": UNKNOWN_RESERVATION); otherwise the twin's status does.
 * @example commandResult({ name: 'ReserveNow', status: 'rejected', answerStatus: 'Occupied' }) === 'EVSE_OCCUPIED'
 */
export function commandResult(command: AnsweredCommand): string | null {
  switch (command.status) {
    case 'failed':
      return 'FAILED';
    case 'timed-out':
    case 'expired':
      return 'TIMEOUT';
    case 'succeeded':
    case 'rejected': {
      const answer = command.answerStatus ?? '';
      if (command.name === 'CancelReservation' && answer === 'Rejected')
        return 'UNKNOWN_RESERVATION';
      return (
        BY_STATION_STATUS[answer] ?? (command.status === 'succeeded' ? 'ACCEPTED' : 'REJECTED')
      );
    }
    default:
      return null;
  }
}

import type { CommandOutcome } from '../../twins/device';
import { GET_LOG, readGetLog } from '../../twins/commands/get-log';
import type { OcppVersion } from './ocpp-version';

/**
 * The neutral `get-log` as a station gets it: 1.6 GetDiagnostics `{ location, startTime?,
 * stopTime? }`, 2.0.1 GetLog `{ logType: DiagnosticsLog, requestId, log: { remoteLocation,
 * oldestTimestamp?, latestTimestamp? } }`; a 2.0.1 `Rejected` answer becomes `rejected`. Null
 * for any other command.
 */
export function logCommand(
  version: OcppVersion,
  name: string,
  params: Record<string, unknown>,
): {
  name: string;
  params: Record<string, unknown>;
  neutral: (outcome: CommandOutcome) => CommandOutcome;
} | null {
  const request = name === GET_LOG ? readGetLog(params) : null;
  if (!request) return null;
  const { location, requestNumber, from, to } = request;
  return version === 'ocpp1.6'
    ? {
        name: 'GetDiagnostics',
        params: {
          location,
          ...(from ? { startTime: from } : {}),
          ...(to ? { stopTime: to } : {}),
        },
        neutral: (outcome) => outcome,
      }
    : {
        name: 'GetLog',
        params: {
          logType: 'DiagnosticsLog',
          requestId: requestNumber,
          log: {
            remoteLocation: location,
            ...(from ? { oldestTimestamp: from } : {}),
            ...(to ? { latestTimestamp: to } : {}),
          },
        },
        neutral: (outcome) =>
          outcome.status === 'succeeded' && outcome.result?.status === 'Rejected'
            ? { status: 'rejected', result: outcome.result }
            : outcome,
      };
}

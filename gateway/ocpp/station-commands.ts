import type { CommandOutcome } from '../../twins/device';
import type { OfficialSchemas } from './official-schemas';
import type { ServerCalls } from './server-calls';

/** Answers whose `status` means the station declined (OCPP's many spellings of "no"). */
const DECLINED = new Set([
  'Rejected',
  'NotSupported',
  'NotImplemented',
  'Failed',
  'UnlockFailed',
  'Unknown',
  'Occupied',
  // ReserveNow's EVSE out of order or out of service.
  'Faulted',
  'Unavailable',
]);

/**
 * A twin's command to a station: the command name is the OCPP action (Reset, TriggerMessage,
 * UnlockConnector, RemoteStartTransaction, RequestStartTransaction, …) and its params the
 * payload, checked against the version's official schema before anything is sent.
 */
export async function sendStationCommand(
  calls: ServerCalls,
  schemas: OfficialSchemas,
  name: string,
  params: Record<string, unknown>,
): Promise<CommandOutcome> {
  try {
    schemas.check(name, 'request', params);
  } catch (error) {
    return {
      status: 'rejected',
      result: { reason: `not a valid ${name} request: ${(error as Error).message}` },
    };
  }
  const outcome = await calls.call(name, params);
  if (!outcome.ok) {
    const status = outcome.code === 'Timeout' ? 'timed-out' : 'failed';
    return { status, result: { code: outcome.code, description: outcome.description } };
  }
  const declined =
    typeof outcome.payload.status === 'string' && DECLINED.has(outcome.payload.status);
  return { status: declined ? 'rejected' : 'succeeded', result: outcome.payload };
}

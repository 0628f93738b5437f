import { z } from 'zod';
import type { OcppCall } from './commands';
import { id36, url } from './commands';

/** STOP_SESSION: the session id is the charging session's id, as a decimal string. */
export const stopSession = z.object({ response_url: url, session_id: id36 });
export type StopSession = z.infer<typeof stopSession>;

/** The charging session's id an OCPI session id names; null for anything else. */
export function chargingSessionId(sessionId: string): number | null {
  if (!/^[1-9][0-9]{0,9}$/.test(sessionId)) return null;
  const id = Number(sessionId);
  return id <= 2 ** 31 - 1 ? id : null;
}

/**
 * STOP_SESSION as the station's protocol says it, for the transaction id the station uses:
 * 1.6 RemoteStopTransaction (an integer), 2.0.1 RequestStopTransaction (the station's string).
 * @example stopSessionCall('ocpp1.6', '42') // { name: 'RemoteStopTransaction', params: { transactionId: 42 } }
 */
export function stopSessionCall(protocol: string, transactionId: string): OcppCall {
  return protocol === 'ocpp1.6'
    ? { name: 'RemoteStopTransaction', params: { transactionId: Number(transactionId) } }
    : { name: 'RequestStopTransaction', params: { transactionId } };
}

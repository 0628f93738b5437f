import { z } from 'zod';

/** OCPI 2.2.1's commands a CPO receives (mod_commands). */
export const OCPI_COMMAND_TYPES = [
  'START_SESSION',
  'STOP_SESSION',
  'UNLOCK_CONNECTOR',
  'RESERVE_NOW',
  'CANCEL_RESERVATION',
] as const;
export type OcpiCommandType = (typeof OCPI_COMMAND_TYPES)[number];

export const url = z.url({ protocol: /^https?$/ }).max(255);
export const id36 = z.string().min(1).max(36);

export const startSession = z.object({
  response_url: url,
  token: z.looseObject({ uid: id36, type: z.string(), contract_id: id36 }),
  location_id: id36,
  evse_uid: id36.optional(),
  connector_id: id36.optional(),
  authorization_reference: id36.optional(),
});
export const unlockConnector = z.object({
  response_url: url,
  location_id: id36,
  evse_uid: id36,
  connector_id: id36,
});
export type StartSession = z.infer<typeof startSession>;
export type UnlockConnector = z.infer<typeof unlockConnector>;

/** An OCPP call for a station: the action and its payload. */
export interface OcppCall {
  readonly name: string;
  readonly params: Record<string, unknown>;
}

/** The connector id as OCPP counts it (`2`, or `1-2` for EVSE 1, connector 2 of a 2.0.1 station). */
export function connectorOf(id: string | undefined): { evseId: number; connectorId: number } {
  const parts = (id ?? '1').split('-').map((p) => Number(p));
  const [first = 1, second] = parts;
  return second === undefined
    ? { evseId: 1, connectorId: Number.isInteger(first) && first > 0 ? first : 1 }
    : { evseId: first, connectorId: second };
}

/**
 * START_SESSION as the station's protocol says it: 1.6 RemoteStartTransaction (idTag: the
 * token's uid, at most 20 characters in 1.6), 2.0.1 RequestStartTransaction (a Central token).
 * @example startSessionCall('ocpp1.6', { token: { uid: 'TAG-1' }, connector_id: '1' })
 */
export function startSessionCall(
  protocol: string,
  command: Pick<StartSession, 'token' | 'connector_id'>,
  remoteStartId: number,
): OcppCall {
  const { evseId, connectorId } = connectorOf(command.connector_id);
  if (protocol === 'ocpp1.6')
    return {
      name: 'RemoteStartTransaction',
      params: { connectorId, idTag: command.token.uid.slice(0, 20) },
    };
  return {
    name: 'RequestStartTransaction',
    params: { evseId, remoteStartId, idToken: { idToken: command.token.uid, type: 'Central' } },
  };
}

/** UNLOCK_CONNECTOR: 1.6 UnlockConnector(connectorId), 2.0.1 UnlockConnector(evseId, connectorId). */
export function unlockConnectorCall(protocol: string, command: UnlockConnector): OcppCall {
  const { evseId, connectorId } = connectorOf(command.connector_id);
  return protocol === 'ocpp1.6'
    ? { name: 'UnlockConnector', params: { connectorId } }
    : { name: 'UnlockConnector', params: { evseId, connectorId } };
}

import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { z } from 'zod';
import { evseStation } from '../../db/ocpi-command-store';
import { forgetOcpiSessionStart, recordOcpiSessionStart } from '../../db/ocpi-session-party';
import {
  type StartSession,
  OCPI_COMMAND_TYPES,
  startSession,
  startSessionCall,
  unlockConnector,
  unlockConnectorCall,
  type OcppCall,
} from '../../twins/ocpi/commands';
import { zodReasons } from './credentials-object';
import type { OcpiCaller } from './credentials';
import { OCPI_STATUS, OcpiError } from './envelope';
import type { OcpiDeps } from './ocpi-deps';

/** How long a station has to answer an OCPI command: the CommandResponse's timeout. */
export const COMMAND_TIMEOUT_S = 60;

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new OcpiError(
      'ocpi:input.command',
      400,
      OCPI_STATUS.invalidParameters,
      zodReasons(parsed.error),
    );
  return parsed.data;
}

const response = (result: string, message?: string) => ({
  result,
  timeout: COMMAND_TIMEOUT_S,
  ...(message ? { message: [{ language: 'en', text: message }] } : {}),
});

/** The idTag a START_SESSION call carries: 1.6's idTag, 2.0.1's idToken.idToken. */
const sentIdTag = (params: Record<string, unknown>) =>
  String(params.idTag ?? (params.idToken as { idToken?: unknown } | undefined)?.idToken ?? '');

/**
 * POST /commands/{type} (the Receiver interface): the command goes to the station through its
 * twin (decision 5), mapped to the station's OCPP version; the answer says at once whether
 * Doppel took it (CommandResponse), and a workflow POSTs the station's result to the eMSP's
 * response_url later (CommandResult).
 */
export async function receiveCommand(
  deps: OcpiDeps,
  caller: OcpiCaller,
  type: string,
  body: unknown,
) {
  if (!(OCPI_COMMAND_TYPES as readonly string[]).includes(type))
    throw new OcpiError('ocpi:command.unknown', 404, OCPI_STATUS.clientError, `no command ${type}`);
  let target: { locationId: string; evseUid?: string | undefined; responseUrl: string };
  let call: (protocol: string) => OcppCall;
  let started: StartSession | undefined;
  if (type === 'START_SESSION') {
    const command = parse(startSession, body);
    started = command;
    target = {
      locationId: command.location_id,
      evseUid: command.evse_uid,
      responseUrl: command.response_url,
    };
    const remoteStartId = Math.floor(Math.random() * 2 ** 31);
    call = (protocol) => startSessionCall(protocol, command, remoteStartId);
  } else if (type === 'UNLOCK_CONNECTOR') {
    const command = parse(unlockConnector, body);
    target = {
      locationId: command.location_id,
      evseUid: command.evse_uid,
      responseUrl: command.response_url,
    };
    call = (protocol) => unlockConnectorCall(protocol, command);
  } else {
    return response('NOT_SUPPORTED', `${type} is not supported by this CPO yet`);
  }
  const { tenantId, partyId } = caller.party;
  const station = await evseStation(deps.database, tenantId, target.locationId, target.evseUid);
  if (!station)
    throw new OcpiError(
      'ocpi:location.not-found',
      404,
      OCPI_STATUS.unknownLocation,
      `no station at location ${target.locationId}${target.evseUid ? ` EVSE ${target.evseUid}` : ''}`,
    );
  if (!deps.commands) return response('REJECTED', 'this API process sends no commands');
  const { name, params } = call(station.protocol ?? 'ocpp1.6');
  const commandId = `ocpi-${randomUUID()}`;
  // Recorded before the station hears of it: the session it opens then finds its eMSP.
  if (started)
    await recordOcpiSessionStart(deps.database, {
      tenantId,
      commandId,
      partyId,
      deviceId: station.deviceId,
      idTag: sentIdTag(params),
      token: started.token,
      authorizationReference: started.authorization_reference ?? null,
      locationId: started.location_id,
      evseUid: started.evse_uid ?? null,
      connectorId: started.connector_id ?? null,
      expiresAt: new Date(Date.now() + COMMAND_TIMEOUT_S * 1000),
    });
  try {
    await deps.commands.send(
      { tenantId, deviceId: station.deviceId },
      {
        actor: `ocpi:${partyId}`,
        id: commandId,
        name,
        params,
        ttlMs: COMMAND_TIMEOUT_S * 1000,
      },
    );
  } catch (error) {
    if (started) await forgetOcpiSessionStart(deps.database, tenantId, commandId);
    if (error instanceof WorkflowNotFoundError)
      return response('REJECTED', 'the station is unknown');
    // The twin refused it (e.g. a retired station): the eMSP hears REJECTED, with why.
    return response('REJECTED', (error as Error).message.slice(0, 200));
  }
  await deps.commands.watch({
    tenantId,
    partyId,
    deviceId: station.deviceId,
    commandId,
    responseUrl: target.responseUrl,
    timeoutMs: COMMAND_TIMEOUT_S * 1000,
  });
  return response('ACCEPTED');
}

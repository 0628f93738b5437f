import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { forgetOcpiSessionStart, recordOcpiSessionStart } from '../../db/ocpi-session-party';
import { OCPI_COMMAND_TYPES } from '../../twins/ocpi/commands';
import { commandTarget } from './command-targets';
import type { OcpiCaller } from './credentials';
import { OCPI_STATUS, OcpiError } from './envelope';
import type { OcpiDeps } from './ocpi-deps';

/** How long a station has to answer an OCPI command: the CommandResponse's timeout. */
export const COMMAND_TIMEOUT_S = 60;

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
  const { tenantId, partyId } = caller.party;
  const target = await commandTarget(deps, { tenantId, partyId }, type, body);
  if ('refused' in target) return response(target.refused, target.message);
  if (!deps.commands) return response('REJECTED', 'this API process sends no commands');
  const send = (deviceId: string, name: string, params: Record<string, unknown>, id: string) =>
    deps.commands!.send(
      { tenantId, deviceId },
      { actor: `ocpi:${partyId}`, id, name, params, ttlMs: COMMAND_TIMEOUT_S * 1000 },
    );
  if (target.before) {
    const { deviceId, call } = target.before;
    // The reservation moved to another station: the old one is told to drop it. Its answer
    // is the twin's to keep (a station that no longer holds it says so); the eMSP hears the new one's.
    await send(deviceId, call.name, call.params, `ocpi-${randomUUID()}`).catch(() => undefined);
  }
  const commandId = `ocpi-${randomUUID()}`;
  const { started } = target;
  // Recorded before the station hears of it: the session it opens then finds its eMSP.
  if (started)
    await recordOcpiSessionStart(deps.database, {
      tenantId,
      commandId,
      partyId,
      deviceId: target.deviceId,
      idTag: sentIdTag(target.call.params),
      token: started.token,
      authorizationReference: started.authorization_reference ?? null,
      locationId: started.location_id,
      evseUid: started.evse_uid ?? null,
      connectorId: started.connector_id ?? null,
      expiresAt: new Date(Date.now() + COMMAND_TIMEOUT_S * 1000),
    });
  try {
    await send(target.deviceId, target.call.name, target.call.params, commandId);
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
    deviceId: target.deviceId,
    commandId,
    responseUrl: target.responseUrl,
    timeoutMs: COMMAND_TIMEOUT_S * 1000,
  });
  return response('ACCEPTED');
}

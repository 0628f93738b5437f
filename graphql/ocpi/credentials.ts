import {
  connectOcpiParty,
  setOcpiTokenC,
  unregisterOcpiParty,
  type OcpiPartyRow,
} from '../../db/ocpi-party-store';
import {
  cpoCredentials,
  credentialsObject,
  zodReasons,
  type CredentialsObject,
} from './credentials-object';
import { OCPI_STATUS, OcpiError } from './envelope';
import { versionsUrl, type OcpiDeps } from './ocpi-deps';
import { callPeer, peerEndpoints } from './peer';
import { newOcpiToken } from './token-header';

/** Who called: the party a presented token belongs to, and which of its tokens it was. */
export interface OcpiCaller {
  readonly party: OcpiPartyRow;
  readonly kind: 'A' | 'C';
  readonly token: string;
}

const notAllowed = (message: string) =>
  new OcpiError('ocpi:credentials.state', 405, OCPI_STATUS.clientError, message);

/** Checks a POST/PUT body and finds the eMSP role in it. */
function parseCredentials(body: unknown) {
  const parsed = credentialsObject.safeParse(body);
  if (!parsed.success)
    throw new OcpiError(
      'ocpi:input.credentials',
      400,
      OCPI_STATUS.invalidParameters,
      zodReasons(parsed.error),
    );
  const emsp = parsed.data.roles.find((r) => r.role === 'EMSP');
  if (!emsp)
    throw new OcpiError(
      'ocpi:input.credentials',
      400,
      OCPI_STATUS.invalidParameters,
      'Doppel is a CPO: the credentials must name an EMSP role',
    );
  return { credentials: parsed.data, emsp };
}

/**
 * The eMSP registers (POST, with token A) or updates its registration (PUT, with token C):
 * Doppel reads the eMSP's versions and endpoints with the token the eMSP gave it (B), and
 * answers with a new token C for the eMSP. Only then is anything stored, so a handshake that
 * fails leaves the party as it was.
 */
export async function registerCredentials(
  deps: OcpiDeps,
  caller: OcpiCaller,
  body: unknown,
  method: 'POST' | 'PUT',
): Promise<CredentialsObject> {
  if (method === 'POST' && caller.kind === 'C')
    throw notAllowed('already registered: update the credentials with PUT, or DELETE them first');
  if (method === 'PUT' && caller.kind === 'A')
    throw notAllowed('not registered: register with POST and token A first');
  const { credentials, emsp } = parseCredentials(body);
  const endpoints = await peerEndpoints(deps.fetch, credentials.url, credentials.token);
  const tokenC = newOcpiToken();
  const { party } = caller;
  const saved = await connectOcpiParty(
    deps.database,
    party.tenantId,
    party.partyId,
    party.version,
    {
      countryCode: emsp.country_code.toUpperCase(),
      partyCode: emsp.party_id.toUpperCase(),
      name: emsp.business_details.name,
      versionsUrl: credentials.url,
      endpoints,
      tokenB: credentials.token,
      tokenC,
    },
  );
  if (!saved)
    throw new OcpiError(
      'ocpi:credentials.conflict',
      409,
      OCPI_STATUS.clientError,
      'the registration changed while this handshake ran: send it again',
    );
  await deps.onConnected?.(saved.tenantId, saved.partyId);
  return cpoCredentials(tokenC, versionsUrl(deps), saved);
}

/** GET: Doppel's credentials for the calling eMSP (the token it called with). */
export function readCredentials(deps: OcpiDeps, caller: OcpiCaller): CredentialsObject {
  if (caller.kind === 'A') throw notAllowed('not registered: register with POST first');
  return cpoCredentials(caller.token, versionsUrl(deps), caller.party);
}

/** DELETE: the eMSP unregisters; its tokens stop working at once. */
export async function removeCredentials(deps: OcpiDeps, caller: OcpiCaller): Promise<void> {
  if (caller.kind === 'A') throw notAllowed('not registered: nothing to unregister');
  await unregisterOcpiParty(deps.database, caller.party.tenantId, caller.party.partyId);
}

/**
 * Doppel registers with an eMSP that gave the operator its versions URL and a token A: Doppel
 * reads the eMSP's endpoints, then POSTs its own credentials (a new token C, valid before the
 * POST because the eMSP calls back with it during the handshake) and keeps the eMSP's answer
 * as token B.
 */
export async function registerWithEmsp(
  deps: OcpiDeps,
  party: OcpiPartyRow,
  emspVersionsUrl: string,
  tokenA: string,
): Promise<OcpiPartyRow> {
  const endpoints = await peerEndpoints(deps.fetch, emspVersionsUrl, tokenA);
  const target = endpoints.find((e) => e.identifier === 'credentials');
  if (!target)
    throw new OcpiError(
      'ocpi:peer.no-credentials',
      400,
      OCPI_STATUS.noMatchingEndpoints,
      `${emspVersionsUrl} lists no credentials module`,
    );
  const tokenC = newOcpiToken();
  const prepared = await setOcpiTokenC(deps.database, party.tenantId, party.partyId, tokenC);
  if (!prepared) throw notAllowed(`party ${party.partyId} is gone`);
  const answer = await callPeer(deps.fetch, target.url, tokenA, credentialsObject, {
    method: 'POST',
    body: cpoCredentials(tokenC, versionsUrl(deps), party),
  });
  const emsp = answer.roles.find((r) => r.role === 'EMSP') ?? answer.roles[0]!;
  const saved = await connectOcpiParty(
    deps.database,
    party.tenantId,
    party.partyId,
    prepared.version,
    {
      countryCode: emsp.country_code.toUpperCase(),
      partyCode: emsp.party_id.toUpperCase(),
      name: emsp.business_details.name,
      versionsUrl: answer.url,
      endpoints,
      tokenB: answer.token,
      tokenC,
    },
  );
  if (!saved)
    throw new OcpiError(
      'ocpi:credentials.conflict',
      409,
      OCPI_STATUS.clientError,
      'the registration changed while this handshake ran: connect again',
    );
  await deps.onConnected?.(saved.tenantId, saved.partyId);
  return saved;
}

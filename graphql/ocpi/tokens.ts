import { findOcpiToken, putOcpiToken } from '../../db/ocpi-token-store';
import { TOKEN_TYPES, tokenKey, tokenObject, type TokenType } from '../../twins/ocpi/tokens';
import { zodReasons } from './credentials-object';
import type { OcpiCaller } from './credentials';
import { OCPI_STATUS, OcpiError } from './envelope';
import type { OcpiDeps } from './ocpi-deps';

const invalid = (message: string) =>
  new OcpiError('ocpi:input.token', 400, OCPI_STATUS.invalidParameters, message);
const unknown = (uid: string, type: string) =>
  new OcpiError('ocpi:token.unknown', 404, OCPI_STATUS.unknownToken, `no ${type} token ${uid}`);

/**
 * Checks the path of a token request, `{country_code}/{party_id}/{token_uid}[?type=]`: an eMSP
 * pushes only its own tokens (the country and party of its credentials), `type` is OCPI's
 * (RFID when left out).
 */
function target(caller: OcpiCaller, ids: string[], search: URLSearchParams) {
  const [countryCode, partyId, uid] = ids.map(decodeURIComponent) as [string, string, string];
  const { party } = caller;
  if (countryCode.toUpperCase() !== party.countryCode || partyId.toUpperCase() !== party.partyCode)
    throw invalid(
      `${countryCode}/${partyId} is not this eMSP: its credentials name ${party.countryCode}/${party.partyCode}`,
    );
  if (uid.length === 0 || uid.length > 36) throw invalid('token_uid is 1 to 36 characters');
  const type = search.get('type') ?? 'RFID';
  if (!(TOKEN_TYPES as readonly string[]).includes(type))
    throw invalid(`type must be one of ${TOKEN_TYPES.join(', ')}, not "${type}"`);
  return { countryCode, partyId, uid, type: type as TokenType };
}

/** The body must be the token the path names (OCPI: the ids of URL and object agree). */
function checkedToken(
  body: unknown,
  where: { countryCode: string; partyId: string; uid: string; type: TokenType },
) {
  const parsed = tokenObject.safeParse(body);
  if (!parsed.success) throw invalid(zodReasons(parsed.error));
  const token = parsed.data;
  const mismatches = [
    token.country_code.toUpperCase() !== where.countryCode.toUpperCase() && 'country_code',
    token.party_id.toUpperCase() !== where.partyId.toUpperCase() && 'party_id',
    tokenKey(token.uid) !== tokenKey(where.uid) && 'uid',
    token.type !== where.type && 'type',
  ].filter(Boolean);
  if (mismatches.length > 0)
    throw invalid(`the token's ${mismatches.join(', ')} differ from the URL's`);
  return token;
}

/**
 * The Tokens Receiver interface (mod_tokens 12.2): the eMSP puts, patches and reads back the
 * tokens Doppel authorises stations' idTags with.
 */
export async function receiveToken(
  deps: OcpiDeps,
  caller: OcpiCaller,
  method: string,
  ids: string[],
  search: URLSearchParams,
  body: () => Promise<unknown>,
): Promise<unknown> {
  const where = target(caller, ids, search);
  const { tenantId, partyId } = caller.party;
  const key = tokenKey(where.uid);
  if (method === 'GET') {
    const token = await findOcpiToken(deps.database, tenantId, partyId, key, where.type);
    if (!token) throw unknown(where.uid, where.type);
    return token;
  }
  if (method === 'PUT') {
    const token = checkedToken(await body(), where);
    await putOcpiToken(deps.database, tenantId, partyId, key, token);
    return undefined;
  }
  // PATCH: the fields sent replace the stored ones; OCPI asks for last_updated in every PATCH.
  const patch = await body();
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    throw invalid('the body must be an object of the fields to change');
  if (!('last_updated' in patch)) throw invalid('last_updated: a PATCH must carry it');
  const stored = await findOcpiToken(deps.database, tenantId, partyId, key, where.type);
  if (!stored) throw unknown(where.uid, where.type);
  const token = checkedToken({ ...stored, ...patch }, where);
  await putOcpiToken(deps.database, tenantId, partyId, key, token);
  return undefined;
}

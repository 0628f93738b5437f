import type { IncomingMessage, ServerResponse } from 'node:http';
import { partyByToken } from '../../db/ocpi-party-store';
import {
  readCredentials,
  registerCredentials,
  removeCredentials,
  type OcpiCaller,
} from './credentials';
import { envelope, OCPI_STATUS, OcpiError, sendOcpi, sendOcpiError } from './envelope';
import { OCPI_PATH, type OcpiDeps } from './ocpi-deps';
import { receiveCommand } from './commands';
import { listLocations, readLocation } from './locations';
import { listTariffs } from './tariffs';
import { receiveToken } from './tokens';
import { listSessionsOrCdrs } from './sessions';
import { partyHeaders, routingHeaders } from './routing-headers';
import { tokenFromHeader } from './token-header';
import { versionDetailsDocument, versionsDocument } from './versions';

/** A credentials object is a few hundred bytes: anything past this is refused unread. */
const MAX_BODY_BYTES = 64 * 1024;

export const isOcpiRequest = (req: IncomingMessage) =>
  req.url === OCPI_PATH || (req.url?.startsWith(`${OCPI_PATH}/`) ?? false);

async function caller(deps: OcpiDeps, req: IncomingMessage): Promise<OcpiCaller> {
  const token = tokenFromHeader(req.headers.authorization);
  const found = await partyByToken(deps.database, token);
  if (!found)
    throw new OcpiError(
      'ocpi:unauthenticated',
      401,
      OCPI_STATUS.clientError,
      'the token is not one Doppel issued or accepts (token A before registering, C after)',
    );
  return { ...found, token };
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new OcpiError('ocpi:input.too-large', 413, OCPI_STATUS.clientError, 'body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new OcpiError('ocpi:input.json', 400, OCPI_STATUS.clientError, 'the body is not JSON');
  }
}

const notFound = (path: string) =>
  new OcpiError('ocpi:not-found', 404, OCPI_STATUS.clientError, `no OCPI endpoint at ${path}`);
const wrongMethod = (method: string, path: string) =>
  new OcpiError(
    'ocpi:method-not-allowed',
    405,
    OCPI_STATUS.clientError,
    `${method} is not served at ${path}`,
  );

/** Routes one request under /ocpi/cpo; returns the envelope's data and extra headers. */
async function route(
  deps: OcpiDeps,
  req: IncomingMessage,
  path: string,
  search: URLSearchParams,
): Promise<{ data: unknown; headers?: Record<string, string> }> {
  const method = req.method ?? 'GET';
  const who = await caller(deps, req);
  if (path === 'versions') {
    if (method !== 'GET') throw wrongMethod(method, path);
    return { data: versionsDocument(deps) };
  }
  if (path === '2.2.1') {
    if (method !== 'GET') throw wrongMethod(method, path);
    return { data: versionDetailsDocument(deps) };
  }
  if (path === '2.2.1/credentials') {
    if (method === 'GET') return { data: readCredentials(deps, who) };
    if (method === 'POST' || method === 'PUT')
      return { data: await registerCredentials(deps, who, await jsonBody(req), method) };
    if (method === 'DELETE') return { data: await removeCredentials(deps, who) };
    throw wrongMethod(method, path);
  }
  if (who.kind !== 'C' || who.party.status !== 'connected')
    throw new OcpiError(
      'ocpi:unauthenticated',
      401,
      OCPI_STATUS.clientError,
      'register first: modules answer token C of a connected party',
    );
  const moduleHeaders = partyHeaders(who.party);
  const [version, module, ...ids] = path.split('/');
  if (version === '2.2.1' && module === 'locations') {
    if (method !== 'GET') throw wrongMethod(method, path);
    if (ids.length === 0) {
      const { data, headers } = await listLocations(deps, who, search);
      return { data, headers: { ...moduleHeaders, ...headers } };
    }
    if (ids.length > 3) throw notFound(path);
    return { data: await readLocation(deps, who, ids), headers: moduleHeaders };
  }
  if (version === '2.2.1' && module === 'tariffs' && ids.length === 0) {
    if (method !== 'GET') throw wrongMethod(method, path);
    const { data, headers } = await listTariffs(deps, who, search);
    return { data, headers: { ...moduleHeaders, ...headers } };
  }
  if (version === '2.2.1' && (module === 'sessions' || module === 'cdrs') && ids.length === 0) {
    if (method !== 'GET') throw wrongMethod(method, path);
    const { data, headers } = await listSessionsOrCdrs(deps, who, module, search);
    return { data, headers: { ...moduleHeaders, ...headers } };
  }
  if (version === '2.2.1' && module === 'commands' && ids.length === 1) {
    if (method !== 'POST') throw wrongMethod(method, path);
    const data = await receiveCommand(deps, who, ids[0]!, await jsonBody(req));
    return { data, headers: moduleHeaders };
  }
  if (version === '2.2.1' && module === 'tokens' && ids.length === 3) {
    if (method !== 'GET' && method !== 'PUT' && method !== 'PATCH') throw wrongMethod(method, path);
    const data = await receiveToken(deps, who, method, ids, search, () => jsonBody(req));
    return { data, headers: moduleHeaders };
  }
  throw notFound(path);
}

/**
 * Serves Doppel's OCPI 2.2.1 CPO interface under /ocpi/cpo (docs/ocpi.md): versions, version
 * details and credentials. Every answer is OCPI's envelope; every refusal carries the HTTP
 * status and OCPI status code the spec asks for.
 */
export async function serveOcpi(
  req: IncomingMessage,
  res: ServerResponse,
  deps: OcpiDeps,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://ocpi');
  const path = url.pathname.slice(OCPI_PATH.length + 1).replace(/\/+$/, '');
  const echo = routingHeaders(req);
  try {
    const { data, headers } = await route(deps, req, path, url.searchParams);
    sendOcpi(res, 200, envelope(data ?? undefined), { ...echo, ...headers });
  } catch (error) {
    if (error instanceof OcpiError) return sendOcpiError(res, error);
    // Unexpected: the eMSP gets OCPI's generic server error, the operator the log line.
    if (!res.headersSent)
      sendOcpi(res, 500, envelope(undefined, OCPI_STATUS.serverError, 'ocpi:internal'));
    throw error;
  }
}

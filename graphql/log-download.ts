import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Database } from '../db/client';
import { findUpload } from '../db/device-logs';
import type { FileStore } from '../db/file-store';
import type { Credential } from './auth/authenticate';
import { mayCall } from './auth/roles';
import { DOWNLOAD_PATH } from './schema/device-logs/resolvers';

export interface LogDownloadDeps {
  database: Database;
  files: FileStore;
  /** The API's own check of a bearer credential (JWT or API key); throws when it fails. */
  authenticate(header: string | undefined): Promise<Credential>;
}

/** Whether this request is for an uploaded log file (`GET /log-uploads/{tenant}/{id}`). */
export const isLogDownload = (req: IncomingMessage) =>
  req.url?.startsWith(`${DOWNLOAD_PATH}/`) ?? false;

const refuse = (res: ServerResponse, status: number, code: string, message: string) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ code, message }));
};

/**
 * Serves an uploaded log file to an operator of its tenant, with the credential the GraphQL API
 * takes (`Authorization: Bearer …`) and the roles that may read device logs. Another tenant's
 * file answers as a missing one.
 */
export async function serveLogDownload(
  req: IncomingMessage,
  res: ServerResponse,
  deps: LogDownloadDeps,
): Promise<void> {
  if (req.method !== 'GET') return refuse(res, 405, 'api:method-not-allowed', 'use GET');
  const [tenantId, id] = (req.url ?? '')
    .slice(DOWNLOAD_PATH.length + 1)
    .split('?')[0]!
    .split('/')
    .map((p) => decodeURIComponent(p));
  let credential: Credential;
  try {
    credential = await deps.authenticate(req.headers.authorization);
  } catch {
    res.setHeader('www-authenticate', 'Bearer');
    return refuse(res, 401, 'api:unauthenticated', 'a valid bearer credential is required');
  }
  const { principal } = credential;
  if (!mayCall(principal, 'Query', 'logUploads'))
    return refuse(res, 403, 'api:forbidden', `role ${principal.role} may not read device logs`);
  const notFound = () => refuse(res, 404, 'api:logs.upload-not-found', 'no such upload');
  if (!tenantId || !id) return notFound();
  if (principal.role !== 'platform-admin' && principal.tenantId !== tenantId) return notFound();
  const upload = await findUpload(deps.database, tenantId, { id });
  const bytes = upload && (await deps.files.get(upload.storeKey));
  if (!upload || !bytes) return notFound();
  res.writeHead(200, {
    'content-type': upload.contentType,
    'content-length': String(upload.size),
    'content-disposition': `attachment; filename="${upload.name.replace(/["\\\r\n]/g, '_')}"`,
    'x-content-sha256': upload.sha256,
  });
  await pipeline(bytes, res);
}

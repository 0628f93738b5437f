// The API process serves the built operator console (graphql/console/dist) at `/`: its files
// with their content types, index.html for any other path outside the API's own (the app's
// router reads the path), hashed assets cached for good and index.html revalidated each time.
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import sirv from 'sirv';
import { CONSOLE_DIST } from './build';
import { DOWNLOAD_PATH } from '../schema/device-logs/resolvers';

/**
 * Paths that belong to the API, never to the console — `/metrics` too: metrics are served on
 * a listener of their own, and the public port answers 404 there, not the console's page.
 */
const API_PATHS = ['/graphql', '/healthz', '/metrics', DOWNLOAD_PATH];

/** Whether this request is the console's: a GET or HEAD outside the API's own paths. */
export function isConsoleRequest(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const pathname = (req.url ?? '/').split('?')[0] ?? '/';
  return !API_PATHS.some((api) => pathname === api || pathname.startsWith(`${api}/`));
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const notBuilt: Handler = (_req, res) => {
  res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('The console is not built: run `npm run console:build` (docs/console.md).\n');
};

/** Serves the console from `dir` (default the build); answers 503 while there is no build. */
export function consoleHandler(dir = CONSOLE_DIST): Handler {
  if (!existsSync(path.join(dir, 'index.html'))) return notBuilt;
  const serve = sirv(dir, {
    single: true,
    etag: true,
    setHeaders(res, pathname) {
      // Vite names assets by their content hash: a changed file gets a new name.
      res.setHeader(
        'cache-control',
        pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  return (req, res) => serve(req, res);
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where nothing else says: the API's default port on this machine. */
const DEFAULT_API_URL = 'http://127.0.0.1:4000/graphql';

/** The file in the data folder where `npm start` writes its API's URL, beside its admin token. */
export const apiUrlFile = (dataDir: string) => path.join(dataDir, 'api-url');

/** `npm start`'s data folder: DOPPEL_DATA_DIR, else .data in the project. */
function dataDirOf(env: NodeJS.ProcessEnv): string {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  return path.resolve(env.DOPPEL_DATA_DIR ?? path.join(root, '.data'));
}

/**
 * The API the CLI talks to unless `--api` names one: DOPPEL_API_URL, else the one `npm start`
 * runs on this checkout (it writes the URL into its data folder, as it writes the admin token
 * there, so `API_PORT=4100 npm start` needs no `--api`), else port 4000.
 */
export function defaultApiUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DOPPEL_API_URL) return env.DOPPEL_API_URL;
  try {
    const running = readFileSync(apiUrlFile(dataDirOf(env)), 'utf8').trim();
    if (running) return running;
  } catch {
    // No stack running from this checkout.
  }
  return DEFAULT_API_URL;
}

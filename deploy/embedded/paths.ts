import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';

/** The project root, whatever the working directory of the process. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the embedded stack keeps its state; DOPPEL_DATA_DIR moves it (tests use a temporary one). */
export const DATA_DIR = path.resolve(
  process.env.DOPPEL_DATA_DIR ?? path.join(PROJECT_ROOT, '.data'),
);
export const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools');
/** Downloads and builds that outlive a clone: CI and fresh checkouts on one machine reuse them. */
export const USER_CACHE_DIR =
  process.env.DOPPEL_CACHE_DIR ??
  path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'doppel');

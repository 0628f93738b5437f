import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The project root, whatever the working directory of the process. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the embedded stack keeps its state; DOPPEL_DATA_DIR moves it (tests use a temporary one). */
export const DATA_DIR = path.resolve(
  process.env.DOPPEL_DATA_DIR ?? path.join(PROJECT_ROOT, '.data'),
);
export const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools');

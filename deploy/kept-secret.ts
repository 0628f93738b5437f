import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A secret `npm start` keeps in its data folder: read when there, else made once and written
 * readable by the user only — so the next start signs and verifies with the same one.
 */
export function keptSecret(file: string, make: () => string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    const secret = make();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}

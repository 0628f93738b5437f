import { writeFileSync } from 'node:fs';
import { CliError } from '../api-client';

export interface BulkIdentity {
  serial: string;
  method: 'CREDENTIALS' | 'CLAIM';
  secret: string;
}

/** A CSV cell: quoted when it holds a comma, a quote or a line break (claim tokens are the operator's). */
const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** `serial,method,secret`, one identity a line. */
export function secretsCsv(identities: readonly BulkIdentity[]): string {
  const lines = identities.map((i) =>
    [i.serial, i.method.toLowerCase(), i.secret].map(cell).join(','),
  );
  return ['serial,method,secret', ...lines].join('\n') + '\n';
}

/**
 * Writes the secrets to a new file only its owner can read (0600); an existing file is never
 * overwritten (it may hold the secrets of an earlier bulk).
 */
function writeSecretsFile(path: string, identities: readonly BulkIdentity[]): void {
  try {
    writeFileSync(path, secretsCsv(identities), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw secretsFileExists(path);
    throw new CliError(
      'cli:provision.secrets-out-unwritable',
      `cannot write the secrets to ${path}: ${(error as Error).message}`,
    );
  }
}

export const secretsFileExists = (path: string) =>
  new CliError(
    'cli:provision.secrets-out-exists',
    `${path} exists; the secrets file is never overwritten — name a new one`,
  );

/**
 * Hands the secrets over this once: to the secrets file, or to stdout when there is none or
 * it cannot be written (they must not be lost). False when the file could not be written.
 */
export function deliverSecrets(identities: readonly BulkIdentity[], path?: string): boolean {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  if (path) {
    try {
      writeSecretsFile(path, identities);
      say(
        `${identities.length} secrets written to ${path} (mode 0600). They are shown only this once: keep the file safe.`,
      );
      return true;
    } catch (error) {
      say(`doppel: ${(error as Error).message}; the secrets follow on stdout instead.`);
    }
  } else say('The secrets follow on stdout. They are shown only this once: keep them safe.');
  process.stdout.write(secretsCsv(identities));
  return path === undefined;
}

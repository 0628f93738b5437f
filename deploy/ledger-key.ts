import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config';
import { keptSecret } from './kept-secret';

/** The checkpoint signing key from LEDGER_SIGNING_KEY or LEDGER_SIGNING_KEY_FILE, if any. */
export function ledgerKeyOf(env: {
  LEDGER_SIGNING_KEY?: string | undefined;
  LEDGER_SIGNING_KEY_FILE?: string | undefined;
}): string | undefined {
  if (env.LEDGER_SIGNING_KEY) return env.LEDGER_SIGNING_KEY;
  if (!env.LEDGER_SIGNING_KEY_FILE) return undefined;
  try {
    return readFileSync(env.LEDGER_SIGNING_KEY_FILE, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read LEDGER_SIGNING_KEY_FILE ${env.LEDGER_SIGNING_KEY_FILE}: ${(error as Error).message}`,
    );
  }
}

/**
 * `npm start` without a configured key: an Ed25519 key kept in the data folder (made on the
 * first start, mode 0600), so checkpoints stay verifiable with the same public key.
 */
export function embeddedLedgerKey(dataDir: string): string {
  return keptSecret(path.join(dataDir, 'ledger-signing-key.pem'), () =>
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  );
}

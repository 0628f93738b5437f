import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { boundedMap } from '../twins/bounded-map';
import type { DeviceKey } from '../twins/ids';
import type { Database } from './client';
import { newSecretOf, type SecretForm } from './provisioning-store';
import { deviceCredentials } from './schema';

/**
 * Who made a secret decides how it is stored. Doppel's own secrets (device secrets, station
 * passwords, generated claim tokens: 120–192 random bits) cannot be guessed however fast the
 * hash is, so they are stored as salted SHA-256 (`sha256$salt$hash`): a gateway restart's
 * reconnect storm then costs microseconds per login instead of ~3 ms of scrypt each (50,000
 * logins were ~150 CPU-seconds on this 2-core machine). An operator-chosen claim token may be
 * guessable: it gets scrypt, whose cost is what protects a low-entropy secret.
 */
export type SecretOrigin = 'generated' | 'chosen';

/**
 * scrypt for chosen secrets: N = 2^10 (~3 ms). The parameters are stored with each hash:
 * older hashes (all secrets were scrypt before, N = 2^14 earlier still) verify unchanged.
 */
const PARAMS = { N: 1024, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function scryptAsync(secret: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LENGTH, { ...params, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

const salted = (salt: Buffer, secret: string) =>
  createHash('sha256').update(salt).update(secret).digest();

/**
 * `sha256$salt$hash` for a generated secret, `scrypt$N$r$p$salt$hash` for a chosen one (the
 * parameters kept with the hash, so they can be raised later without breaking old rows).
 */
export async function hashSecret(
  secret: string,
  origin: SecretOrigin = 'generated',
): Promise<string> {
  const salt = randomBytes(16);
  if (origin === 'generated')
    return ['sha256', salt.toString('base64url'), salted(salt, secret).toString('base64url')].join(
      '$',
    );
  const key = await scryptAsync(secret, salt, PARAMS);
  return [
    'scrypt',
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  if (stored.startsWith('sha256$')) {
    const [, salt, hash] = stored.split('$');
    if (!salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64url');
    const key = salted(Buffer.from(salt, 'base64url'), secret);
    return expected.length === key.length && timingSafeEqual(expected, key);
  }
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const key = await scryptAsync(secret, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  const expected = Buffer.from(hash, 'base64url');
  return expected.length === key.length && timingSafeEqual(expected, key);
}

const dummies = new Map<SecretOrigin, Promise<string>>();
const dummyHash = (origin: SecretOrigin) => {
  let dummy = dummies.get(origin);
  if (!dummy) dummies.set(origin, (dummy = hashSecret(randomBytes(16).toString('hex'), origin)));
  return dummy;
};

/**
 * Verifies a claim token against its stored hash or, with none stored, against a dummy scrypt
 * hash; a token stored as SHA-256 (generated) is followed by the dummy scrypt too. Every claim
 * costs one scrypt, known serial or not, chosen token or generated: the time of a refusal does
 * not tell which serials exist. (Claims are once per device: the cost does not add up.)
 */
export async function verifySecretOrDummy(
  secret: string,
  stored: string | undefined,
): Promise<boolean> {
  const ok = await verifySecret(secret, stored ?? (await dummyHash('chosen')));
  if (stored?.startsWith('sha256$')) await verifySecret(secret, await dummyHash('chosen'));
  return ok && stored !== undefined;
}

/** How a device logs in: with a secret, or with a client certificate (and never the other way). */
export type DeviceLogin = 'secret' | 'certificate';

/**
 * Creates a device's credential and returns the secret, which is never stored and shown once.
 * A certificate device gets a secret nobody is shown: its credential only says it exists.
 */
export async function issueDeviceSecret(
  database: Database,
  key: DeviceKey,
  login: DeviceLogin = 'secret',
  form: SecretForm = 'device-secret',
): Promise<string | null> {
  const secret = newSecretOf(form);
  const rows = await database.db
    .insert(deviceCredentials)
    .values({ ...key, secretHash: await hashSecret(secret), login })
    .onConflictDoNothing()
    .returning({ deviceId: deviceCredentials.deviceId });
  return rows.length > 0 ? secret : null;
}

/** The device's credential unless it is unknown or revoked. */
async function activeCredential(database: Database, key: DeviceKey) {
  const [row] = await database.db
    .select({ secretHash: deviceCredentials.secretHash, login: deviceCredentials.login })
    .from(deviceCredentials)
    .where(
      and(
        eq(deviceCredentials.tenantId, key.tenantId),
        eq(deviceCredentials.deviceId, key.deviceId),
        isNull(deviceCredentials.revokedAt),
      ),
    );
  return row;
}

/** True when the device exists, is not revoked and logs in with a certificate. */
export async function deviceCredentialActive(database: Database, key: DeviceKey): Promise<boolean> {
  return (await activeCredential(database, key))?.login === 'certificate';
}

/**
 * Secrets already verified against a stored hash, remembered as SHA-256 digests, so a device
 * that reconnects (a reconnect storm after a gateway restart) costs a hash instead of a ~40 ms
 * scrypt. The credential row is still read on every login, so a revoked or replaced
 * credential stops working at once; a wrong secret always pays the full scrypt. Device secrets
 * are 24 random bytes, so a fast digest of them is no easier to guess than the secret.
 */
export class VerifiedSecrets {
  private readonly entries = new Map<string, Buffer>();

  constructor(private readonly limit = 200_000) {}

  /** True when this secret was verified against this stored hash before. */
  knows(storedHash: string, secret: string): boolean {
    const known = this.entries.get(storedHash);
    return known !== undefined && timingSafeEqual(known, digest(secret));
  }

  remember(storedHash: string, secret: string): void {
    this.entries.delete(storedHash);
    this.entries.set(storedHash, digest(secret));
    // Oldest first out (Map keeps insertion order).
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

const digest = (secret: string) => createHash('sha256').update(secret).digest();

/** True when the device exists, is not revoked and the secret matches. */
export async function checkDeviceSecret(
  database: Database,
  key: DeviceKey,
  secret: string,
  verified?: VerifiedSecrets,
): Promise<boolean> {
  const found = await activeCredential(database, key);
  // A certificate device never logs in with a secret; it costs the same scrypt as any refusal.
  const row = found?.login === 'secret' ? found : undefined;
  if (row && verified?.knows(row.secretHash, secret)) return true;
  // An unknown device costs the same hashing as a known one: timing does not tell them apart.
  const ok = await verifySecret(secret, row?.secretHash ?? (await dummyHash('generated')));
  if (!ok || !row) return false;
  verified?.remember(row.secretHash, secret);
  // A device secret stored as scrypt (before generated secrets were SHA-256) is stored again
  // the fast way on its first login, unless it changed meanwhile: after one login per device,
  // a reconnect storm costs no scrypt.
  if (row.secretHash.startsWith('scrypt$'))
    await database.db
      .update(deviceCredentials)
      .set({ secretHash: await hashSecret(secret) })
      .where(
        and(
          eq(deviceCredentials.tenantId, key.tenantId),
          eq(deviceCredentials.deviceId, key.deviceId),
          eq(deviceCredentials.secretHash, row.secretHash),
        ),
      );
  return true;
}

/**
 * Hashes many secrets (a bulk provisioning's) a few at a time: a chosen claim token's scrypt
 * runs on libuv's thread pool, so the event loop stays free, and a bounded number in flight
 * leaves the pool's other work (DNS, files) a thread now and then. Generated secrets take
 * microseconds each.
 */
export function hashSecrets(
  secrets: ReadonlyArray<{ secret: string; origin: SecretOrigin }>,
  concurrency = 4,
): Promise<string[]> {
  return boundedMap(secrets, concurrency, ({ secret, origin }) => hashSecret(secret, origin));
}

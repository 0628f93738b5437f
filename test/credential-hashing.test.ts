import { createHook } from 'node:async_hooks';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../db/client';
import {
  checkDeviceSecret,
  hashSecret,
  hashSecrets,
  issueDeviceSecret,
  verifySecret,
  verifySecretOrDummy,
} from '../db/credentials';
import { deviceCredentials } from '../db/schema';
import { uniqueTenant } from './support/stack';

/**
 * How secrets are stored (db/credentials.ts): what Doppel generated as salted SHA-256, an
 * operator's chosen claim token with scrypt; scrypt hashes of before still verify, and a
 * device's is stored again the fast way on its first login. Work is counted in scrypt jobs
 * (Node's SCRYPTREQUEST async resources), not timed.
 */
const database = createDatabase(inject('databaseUrl'), { max: 2 });
afterAll(() => database.close());

async function scryptsDuring(work: () => Promise<unknown>): Promise<number> {
  let scrypts = 0;
  const hook = createHook({ init: (_id, type) => void (type === 'SCRYPTREQUEST' && scrypts++) });
  hook.enable();
  try {
    await work();
  } finally {
    hook.disable();
  }
  return scrypts;
}

/** A scrypt hash as every secret was stored before generated secrets went SHA-256. */
async function legacyScrypt(secret: string): Promise<string> {
  return hashSecret(secret, 'chosen');
}

describe('secret hashing', () => {
  it('stores a generated secret as salted SHA-256 and a chosen one with scrypt; both verify', async () => {
    const fast = await hashSecret('dpl_generated');
    expect(fast).toMatch(/^sha256\$[\w-]+\$[\w-]+$/);
    expect(await hashSecret('dpl_generated')).not.toBe(fast); // salted
    expect(await verifySecret('dpl_generated', fast)).toBe(true);
    expect(await verifySecret('dpl_generatee', fast)).toBe(false);
    const slow = await hashSecret('my-own-claim-token-2026', 'chosen');
    expect(slow).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifySecret('my-own-claim-token-2026', slow)).toBe(true);
    expect(await verifySecret('my-own-claim-token-2027', slow)).toBe(false);
    expect(await verifySecret('anything', 'md5$abc$def')).toBe(false);
    const many = await hashSecrets([
      { secret: 'a', origin: 'generated' },
      { secret: 'b', origin: 'chosen' },
    ]);
    expect(many.map((h) => h.split('$')[0])).toEqual(['sha256', 'scrypt']);
  });

  it('logs a device in without scrypt, and an unknown device costs the same', async () => {
    const tenantId = uniqueTenant('hash');
    const key = { tenantId, deviceId: 'd-1' };
    const secret = (await issueDeviceSecret(database, key))!;
    expect(await scryptsDuring(() => checkDeviceSecret(database, key, secret))).toBe(0);
    expect(await checkDeviceSecret(database, key, secret)).toBe(true);
    expect(await checkDeviceSecret(database, key, `${secret}x`)).toBe(false);
    const unknown = { tenantId, deviceId: 'd-unknown' };
    await checkDeviceSecret(database, unknown, secret); // the dummy hash is made once
    expect(await scryptsDuring(() => checkDeviceSecret(database, unknown, secret))).toBe(0);
    expect(await checkDeviceSecret(database, unknown, secret)).toBe(false);
  });

  it('stores a scrypt device secret of before again as SHA-256 on its first login', async () => {
    const key = { tenantId: uniqueTenant('hash'), deviceId: 'd-old' };
    const secret = 'dpl_issued-before-the-change';
    await database.db
      .insert(deviceCredentials)
      .values({ ...key, secretHash: await legacyScrypt(secret) });
    const stored = async () =>
      (await database.db.select().from(deviceCredentials)).find(
        (r) => r.tenantId === key.tenantId && r.deviceId === key.deviceId,
      )!.secretHash;
    // A wrong secret changes nothing.
    expect(await checkDeviceSecret(database, key, 'dpl_wrong')).toBe(false);
    expect(await stored()).toMatch(/^scrypt\$/);
    expect(await scryptsDuring(() => checkDeviceSecret(database, key, secret))).toBe(1);
    expect(await stored()).toMatch(/^sha256\$/);
    expect(await scryptsDuring(() => checkDeviceSecret(database, key, secret))).toBe(0);
    expect(await checkDeviceSecret(database, key, secret)).toBe(true);
  });

  it('makes every claim cost one scrypt, whatever the stored token and whether it exists', async () => {
    const generated = await hashSecret('clm_generated-token');
    const chosen = await hashSecret('an-operators-own-token', 'chosen');
    await verifySecretOrDummy('warm-up', undefined); // the dummy hash is made once
    expect(await scryptsDuring(() => verifySecretOrDummy('clm_wrong', generated))).toBe(1);
    expect(await scryptsDuring(() => verifySecretOrDummy('clm_wrong', chosen))).toBe(1);
    expect(await scryptsDuring(() => verifySecretOrDummy('clm_wrong', undefined))).toBe(1);
    expect(await verifySecretOrDummy('clm_generated-token', generated)).toBe(true);
    expect(await verifySecretOrDummy('an-operators-own-token', chosen)).toBe(true);
    expect(await verifySecretOrDummy('an-operators-own-token', undefined)).toBe(false);
  });
});

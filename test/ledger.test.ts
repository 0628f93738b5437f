import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { PROJECT_ROOT } from '../deploy/embedded/paths';
import { verifyBundle, type LedgerBundle } from '../graphql/cli/verify/ledger-bundle';
import { TEST_LEDGER_KEY } from './support/auth';
import { runCli } from './support/cli';
import { eventually, graphql, graphqlOk } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

// A tenant's ledger, exported as a user would (the CLI), checked by `doppel verify` and by
// plain openssl, and tampered with byte by byte.

let stack: TestStack;
/** The installation's public key, as an operator gets it out of band (here: from its signing key). */
const INSTALLATION_KEY = createPublicKey(TEST_LEDGER_KEY)
  .export({ type: 'spki', format: 'pem' })
  .toString();
const tenantId = uniqueTenant('ledger');
const dir = mkdtempSync(path.join(os.tmpdir(), 'doppel-ledger-'));
let bundleFile: string;
let bundle: LedgerBundle;

const ok = (query: string, variables: Record<string, unknown> = {}) =>
  graphqlOk(stack.apiUrl, query, variables);

beforeAll(async () => {
  stack = await startTestStack();
  // Audit entries: API mutations and the twins' own changes.
  for (const deviceId of ['l-1', 'l-2']) {
    await ok('mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }', {
      i: { tenantId, deviceId },
    });
  }
  await ok('mutation ($i: SetDeviceTagsInput!) { setDeviceTags(input: $i) { version } }', {
    i: { tenantId, deviceId: 'l-1', tags: ['audited'] },
  });
  const refused = await graphql(
    stack.apiUrl,
    'mutation ($i: TransitionDeviceInput!) { transitionDevice(input: $i) { version } }',
    { i: { tenantId, deviceId: 'l-2', to: 'MAINTENANCE', reason: 'not allowed from provisioned' } },
  );
  expect(refused.errors).toBeDefined();
  // Every entry made so far is under a signed checkpoint (test workers sign every second).
  await eventually(async () => {
    const d = await ok(
      `query ($t: ID!) { ledgerEntries(tenantId: $t) { seq } ledgerCheckpoints(tenantId: $t) { seq } }`,
      { t: tenantId },
    );
    const last = d.ledgerEntries.at(-1)?.seq ?? 0;
    return last >= 7 && d.ledgerCheckpoints.at(-1)?.seq === last ? true : undefined;
  }, 30_000);
  bundleFile = path.join(dir, 'bundle.json');
  const run = await runCli(stack.apiUrl, [
    'export',
    'ledger',
    '--tenant',
    tenantId,
    '--out',
    bundleFile,
  ]);
  expect(run.stderr).not.toContain('doppel:');
  expect(run.code).toBe(0);
  bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as LedgerBundle;
});
afterAll(() => stack?.stop());

const openssl = (args: string[]) =>
  execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('the ledger', () => {
  it('chains every audit entry of the tenant, API and twin, in the order they were made', () => {
    const bodies = bundle.entries.map((e) => JSON.parse(e.body));
    expect(bundle.entries.map((e) => e.seq)).toEqual(bodies.map((_, i) => i + 1));
    expect(bodies.filter((b) => b.role !== 'twin').map((b) => [b.operation, b.outcome])).toEqual([
      ['registerDevice', 'ok'],
      ['registerDevice', 'ok'],
      ['setDeviceTags', 'ok'],
      ['transitionDevice', 'twin:lifecycle.transition-not-allowed'],
    ]);
    expect(
      bodies
        .filter((b) => b.role === 'twin')
        .map((b) => b.operation)
        .sort(),
    ).toEqual(['device.registered', 'device.registered', 'device.tags-changed']);
    const tags = bodies.find((b) => b.operation === 'device.tags-changed');
    expect(tags).toMatchObject({ subject: 'device:l-1', before: [], after: ['audited'] });
  });

  it('verifies with doppel verify, pinned to the public key, and fails with a foreign key', async () => {
    const keyFile = path.join(dir, 'key.pem');
    writeFileSync(keyFile, INSTALLATION_KEY);
    const run = await runCli(stack.apiUrl, ['verify', bundleFile, '--public-key', keyFile]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${bundle.entries.length} entries, chain intact`);
    const foreign = path.join(dir, 'foreign.pem');
    openssl(['genpkey', '-algorithm', 'ed25519', '-out', path.join(dir, 'foreign-private.pem')]);
    openssl(['pkey', '-in', path.join(dir, 'foreign-private.pem'), '-pubout', '-out', foreign]);
    const pinned = await runCli(stack.apiUrl, ['verify', bundleFile, '--public-key', foreign]);
    expect(pinned.code).toBe(1);
    expect(pinned.stderr).toContain('is not one of the trusted keys');
  });

  it("gives the installation's public key from its signing key (out of band) and over the API, alike, and verify takes it", async () => {
    const signingKey = path.join(dir, 'signing-key.pem');
    writeFileSync(signingKey, TEST_LEDGER_KEY);
    const fromKey = await runCli(stack.apiUrl, [
      'ledger',
      'public-key',
      '--signing-key',
      signingKey,
    ]);
    expect(fromKey.code).toBe(0);
    expect(fromKey.stdout).toBe(INSTALLATION_KEY);
    expect(fromKey.stderr).toContain(`key ${bundle.keys[0]!.keyId}`);
    const out = path.join(dir, 'from-api.pem');
    const asked = ['--tenant', tenantId, '--out', out];
    const fromApi = await runCli(stack.apiUrl, ['ledger', 'public-key', ...asked]);
    expect(fromApi.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(INSTALLATION_KEY);
    const verified = await runCli(stack.apiUrl, ['verify', bundleFile, '--public-key', out]);
    expect(verified.code).toBe(0);
    const neither = await runCli(stack.apiUrl, ['ledger', 'public-key']);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('[cli:ledger.key-source]');
    const notAKey = await runCli(stack.apiUrl, ['ledger', 'public-key', '--signing-key', out]);
    expect(notAKey.code).toBe(1);
    expect(notAKey.stderr).toContain('[cli:ledger.unreadable-key]');
  });

  it('refuses checkpoints repeated or out of order', () => {
    const pinned = { trustedKeys: [INSTALLATION_KEY] };
    expect(verifyBundle(bundle, pinned).ok).toBe(true);
    const newest = bundle.checkpoints.at(-1)!;
    const repeated = { ...bundle, checkpoints: [...bundle.checkpoints, newest] };
    expect(verifyBundle(repeated, pinned).problems).toEqual([
      `checkpoint ${newest.seq}: after checkpoint ${newest.seq} (checkpoints must be in order and unique)`,
    ]);
    const first = bundle.checkpoints[0]!;
    const reordered = { ...bundle, checkpoints: [newest, ...bundle.checkpoints] };
    expect(verifyBundle(reordered, pinned).problems[0]).toBe(
      `checkpoint ${first.seq}: after checkpoint ${newest.seq} (checkpoints must be in order and unique)`,
    );
  });

  it('checks one record and its checkpoint with plain openssl', () => {
    const entry = bundle.entries[2]!;
    const message = path.join(dir, 'entry.txt');
    writeFileSync(message, `${entry.prevHash}\n${entry.body}`);
    expect(openssl(['dgst', '-sha256', '-r', message]).split(' ')[0]).toBe(entry.hash);

    const checkpoint = bundle.checkpoints.at(-1)!;
    const head = bundle.entries.find((e) => e.seq === checkpoint.seq)!;
    expect(checkpoint.headHash).toBe(head.hash);
    const key = path.join(dir, 'checkpoint-key.pem');
    writeFileSync(key, bundle.keys.find((k) => k.keyId === checkpoint.keyId)!.publicKey);
    writeFileSync(path.join(dir, 'statement.txt'), checkpoint.statement);
    writeFileSync(path.join(dir, 'statement.sig'), Buffer.from(checkpoint.signature, 'base64'));
    const verify = (statement: string) =>
      openssl([
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        key,
        '-rawin',
        '-in',
        statement,
        '-sigfile',
        path.join(dir, 'statement.sig'),
      ]);
    expect(verify(path.join(dir, 'statement.txt'))).toContain('Signature Verified Successfully');
    writeFileSync(path.join(dir, 'forged.txt'), checkpoint.statement.replace(/seq \d+/, 'seq 1'));
    expect(() => verify(path.join(dir, 'forged.txt'))).toThrow();
  });

  it("runs the README's openssl check as written", () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Tamper-evident records'));
    const script = /```sh\n(jq -j[\s\S]*?)```/.exec(section)![1]!;
    const work = mkdtempSync(path.join(os.tmpdir(), 'doppel-readme-'));
    writeFileSync(path.join(work, 'acme-ledger.json'), readFileSync(bundleFile));
    const output = execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: work,
      encoding: 'utf8',
    });
    expect(output).toContain(bundle.entries[2]!.hash);
    expect(output).toContain('Signature Verified Successfully');
  });

  it('detects any single byte flipped anywhere in the exported records, keys and checkpoints', () => {
    const text = readFileSync(bundleFile, 'utf8');
    // The bundle's own keys: a flipped byte must show in a hash, a signature or a key's id.
    const check = (bundle: unknown) => verifyBundle(bundle, { trustBundleKeys: true });
    expect(check(JSON.parse(text)).ok).toBe(true);
    const bytes = Buffer.from(text, 'utf8');
    // Everything but the export's own timestamp is covered by a hash or a signature.
    const stamp = text.indexOf('"exportedAt"');
    const stampEnd = text.indexOf('\n', stamp);
    const undetected: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      if (i >= stamp && i < stampEnd) continue;
      const flipped = Buffer.from(bytes);
      flipped[i] = flipped[i]! ^ 0x01;
      let parsed: unknown;
      try {
        parsed = JSON.parse(flipped.toString('utf8'));
      } catch {
        continue; // not even JSON any more: refused before any check
      }
      if (check(parsed).ok) undetected.push(i);
    }
    expect(undetected.map((i) => text.slice(Math.max(0, i - 20), i + 20))).toEqual([]);
  });

  it('detects every character changed to another that keeps the bundle valid JSON', () => {
    const text = readFileSync(bundleFile, 'utf8');
    const check = (bundle: unknown) => verifyBundle(bundle, { trustBundleKeys: true });
    // A digit for another digit, a letter for another of its case, - for _ and + for /: the
    // JSON stays valid, so only the hashes, signatures and key ids can catch the change.
    const other = (c: string): string | null => {
      if (/[0-8]/.test(c)) return String(Number(c) + 1);
      if (c === '9') return '0';
      if (/[a-yA-Y]/.test(c)) return String.fromCharCode(c.charCodeAt(0) + 1);
      if (c === 'z' || c === 'Z') return String.fromCharCode(c.charCodeAt(0) - 25);
      return { '-': '_', _: '-', '+': '/', '/': '+' }[c] ?? null;
    };
    const stamp = text.indexOf('"exportedAt"');
    const stampEnd = text.indexOf('\n', stamp);
    const undetected: string[] = [];
    let changed = 0;
    let stillJson = 0;
    for (let i = 0; i < text.length; i++) {
      if (i >= stamp && i < stampEnd) continue; // the export's own time is covered by nothing
      const replacement = other(text[i]!);
      if (replacement === null) continue;
      changed++;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text.slice(0, i) + replacement + text.slice(i + 1));
      } catch {
        continue; // e.g. an escape sequence broken: refused before any check
      }
      stillJson++;
      if (check(parsed).ok) undetected.push(text.slice(Math.max(0, i - 20), i + 20));
    }
    // The walk really changed the bundle where it matters, almost always into valid JSON.
    expect(changed).toBeGreaterThan(text.length / 2);
    expect(stillJson / changed).toBeGreaterThan(0.95);
    expect(undetected).toEqual([]);
  });

  it('detects a deleted entry, the newest ones cut off, and reports it through the CLI', async () => {
    const pinned = { trustedKeys: [INSTALLATION_KEY] };
    const without = (seq: number): LedgerBundle => ({
      ...bundle,
      entries: bundle.entries.filter((e) => e.seq !== seq),
    });
    expect(verifyBundle(without(3), pinned).problems).toContain(
      'entry 4: expected sequence number 3 (an entry is missing or moved)',
    );
    const last = bundle.entries.at(-1)!.seq;
    expect(verifyBundle(without(last), pinned).ok).toBe(false);
    expect(
      verifyBundle({ ...bundle, checkpoints: bundle.checkpoints.slice(0, -1) }, pinned).ok,
    ).toBe(bundle.checkpoints.length > 1 && bundle.checkpoints.at(-2)!.seq === last);
    const tampered = path.join(dir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify(without(2)));
    const keyFile = path.join(dir, 'installation.pem');
    writeFileSync(keyFile, INSTALLATION_KEY);
    const run = await runCli(stack.apiUrl, ['verify', tampered, '--public-key', keyFile]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('does NOT verify');
  });
});

/** The bundle re-signed with a key of someone else's, as anyone who altered it could. */
function resigned(original: LedgerBundle, claimedKeyId?: string): LedgerBundle {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = claimedKeyId ?? createHash('sha256').update(der).digest('hex').slice(0, 16);
  return {
    ...original,
    keys: [{ keyId, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() }],
    checkpoints: original.checkpoints.map((c) => {
      const statement = c.statement.replace(/^key .*$/m, `key ${keyId}`);
      const signature = sign(null, Buffer.from(statement), privateKey).toString('base64');
      return { ...c, keyId, statement, signature };
    }),
  };
}

describe('doppel verify trusts a pinned key, not the bundle', () => {
  it('refuses to check without --public-key, and a re-signed bundle passes only --trust-bundle-keys, loudly', async () => {
    const forged = path.join(dir, 'resigned.json');
    writeFileSync(forged, JSON.stringify(resigned(bundle)));
    for (const file of [forged, bundleFile]) {
      const unpinned = await runCli(stack.apiUrl, ['verify', file]);
      expect(unpinned.code, file).toBe(1);
      expect(unpinned.stderr).toContain('[cli:verify.key-required]');
      expect(unpinned.stderr).toContain('--public-key');
    }
    const keyFile = path.join(dir, 'installation.pem');
    writeFileSync(keyFile, INSTALLATION_KEY);
    const pinned = await runCli(stack.apiUrl, ['verify', forged, '--public-key', keyFile]);
    expect(pinned.code).toBe(1);
    expect(pinned.stderr).toContain('is not one of the trusted keys');
    const trusting = await runCli(stack.apiUrl, ['verify', forged, '--trust-bundle-keys']);
    expect(trusting.code).toBe(0);
    expect(trusting.stderr).toContain('WARNING');
    expect(trusting.stderr).toContain('NOT PROVEN TO COME FROM THE INSTALLATION');
  });

  it("refuses a key whose id is not its own hash, such as a new key under the installation's id", () => {
    const genuineId = bundle.keys[0]!.keyId;
    const verdict = verifyBundle(resigned(bundle, genuineId), { trustBundleKeys: true });
    expect(verdict.ok).toBe(false);
    expect(verdict.problems[0]).toMatch(
      new RegExp(`^key ${genuineId}: its id is not its own hash \\(that is [0-9a-f]{16}\\)$`),
    );
  });

  it("reports the newest checkpoint's age, so a tail cut off with its checkpoints shows", async () => {
    const tenant = uniqueTenant('ledger-age');
    const register = (deviceId: string) =>
      ok('mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }', {
        i: { tenantId: tenant, deviceId },
      });
    const signedHead = () =>
      eventually(async () => {
        const d = await ok(
          `query ($t: ID!) { ledgerEntries(tenantId: $t) { seq } ledgerCheckpoints(tenantId: $t) { seq } }`,
          { t: tenant },
        );
        const last = d.ledgerEntries.at(-1)?.seq ?? 0;
        return last > 0 && d.ledgerCheckpoints.at(-1)?.seq === last ? last : undefined;
      }, 30_000);
    await register('age-1');
    const cutAt = await signedHead();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await register('age-2');
    expect(await signedHead()).toBeGreaterThan(cutAt);
    const full = path.join(dir, 'age-full.json');
    const exported = await runCli(stack.apiUrl, [
      'export',
      'ledger',
      '--tenant',
      tenant,
      '--out',
      full,
    ]);
    expect(exported.code).toBe(0);
    const whole = JSON.parse(readFileSync(full, 'utf8')) as LedgerBundle;
    const cut: LedgerBundle = {
      ...whole,
      entries: whole.entries.filter((e) => e.seq <= cutAt),
      checkpoints: whole.checkpoints.filter((c) => c.seq <= cutAt),
    };
    const cutFile = path.join(dir, 'age-cut.json');
    writeFileSync(cutFile, JSON.stringify(cut));
    const keyFile = path.join(dir, 'installation.pem');
    writeFileSync(keyFile, INSTALLATION_KEY);

    // Cut cleanly, it is still a consistent ledger: only its age gives it away.
    const plain = await runCli(stack.apiUrl, ['verify', cutFile, '--public-key', keyFile]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/newest checkpoint: \d+ s old, \d+ s before the export/);
    const bounded = await runCli(stack.apiUrl, [
      'verify',
      cutFile,
      '--public-key',
      keyFile,
      '--max-checkpoint-age',
      '3',
    ]);
    expect(bounded.code).toBe(1);
    expect(bounded.stderr).toContain(`the newest checkpoint (entry ${cutAt}, signed`);
    expect(bounded.stderr).toContain('newer entries may have been cut off');
    const fresh = await runCli(stack.apiUrl, [
      'verify',
      full,
      '--public-key',
      keyFile,
      '--max-checkpoint-age',
      '600',
    ]);
    expect(fresh.code).toBe(0);

    // Measured at the same moment, the whole bundle is fresh and the cut one is not.
    const at = {
      trustedKeys: [INSTALLATION_KEY],
      now: new Date(whole.checkpoints.at(-1)!.signedAt),
      maxCheckpointAgeS: 3,
    };
    expect(verifyBundle(whole, at)).toMatchObject({ ok: true, newestCheckpointAge: { now: 0 } });
    expect(verifyBundle(cut, at).ok).toBe(false);
    expect(verifyBundle(cut, at).newestCheckpointAge!.now).toBeGreaterThanOrEqual(4);
  });
});

describe('append-only inside PostgreSQL', () => {
  it("refuses even the tables' owner an update, delete or truncate of audit rows, ledger entries, checkpoints and keys", async () => {
    // The owner, whom privileges do not stop (an application role is refused sooner:
    // test/database-roles.test.ts): the triggers alone refuse here.
    const sql = postgres(inject('ownerDatabaseUrl'), { max: 1, onnotice: () => {} });
    onTestFinished(() => sql.end({ timeout: 5 }));
    for (const statement of [
      `update audit_entries set actor = 'someone else' where tenant_id = '${tenantId}'`,
      `delete from audit_entries where tenant_id = '${tenantId}'`,
      `update ledger_entries set body = '{}' where tenant_id = '${tenantId}'`,
      `delete from ledger_entries where tenant_id = '${tenantId}'`,
      `delete from ledger_checkpoints where tenant_id = '${tenantId}'`,
      `delete from session_records where tenant_id = '${tenantId}'`,
      'update session_records set counted = false',
      // A statement that would change nothing is refused too: no key is ever replaced.
      'update ledger_keys set public_key = public_key',
      'delete from ledger_keys where false',
      'truncate ledger_keys',
      'truncate ledger_entries',
      'truncate audit_entries',
      'truncate session_records',
    ]) {
      await expect(sql.unsafe(statement), statement).rejects.toThrow(/append-only/);
    }
    const [row] =
      await sql`select count(*)::int as n from ledger_entries where tenant_id = ${tenantId}`;
    expect(row!.n).toBe(bundle.entries.length);
    const keys =
      await sql`select key_id, public_key from ledger_keys where key_id = ${bundle.keys[0]!.keyId}`;
    expect(keys.map((k) => k.public_key)).toEqual([bundle.keys[0]!.publicKey]);
  });
});

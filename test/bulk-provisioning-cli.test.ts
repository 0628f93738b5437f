import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';
import { ADMIN_TOKEN } from './support/auth';

/** `doppel provision` run as an operator would: a child process against a real API. */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const PROVISION = `mutation ($i: ProvisionDeviceInput!) { provisionDevice(input: $i) { created } }`;

/** Runs the operator CLI as a child process; its exit code and output. */
function doppel(args: string[], cwd: string) {
  const child = spawn(
    join(process.cwd(), 'node_modules/.bin/tsx'),
    [join(process.cwd(), 'graphql/cli/doppel.ts'), '--api', stack.apiUrl, ...args],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOPPEL_TOKEN: ADMIN_TOKEN } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('doppel provision (CLI)', () => {
  it('uploads a file, shows progress, writes the secrets once to a private file, and refuses to overwrite it', async () => {
    const tenantId = uniqueTenant('bpc');
    const dir = mkdtempSync(join(tmpdir(), 'doppel-bulk-'));
    const serials = Array.from({ length: 12 }, (_, i) => `SN-${i + 1}`);
    writeFileSync(
      join(dir, 'devices.csv'),
      ['serial,model', ...serials.map((s) => `${s},wb`)].join('\n'),
    );
    const run = await doppel(
      [
        'provision',
        '--tenant',
        tenantId,
        '--file',
        'devices.csv',
        '--secrets-out',
        'secrets.csv',
        '--interval',
        '100',
      ],
      dir,
    );
    expect(run.stderr).toMatch(/^submitted \d+\/12 /m);
    expect(run.stderr).toContain('submitted 12/12 registered 12, started 0, failed 0');
    expect(run.stderr).toContain('shown only this once');
    expect(run.stderr).toContain('12 registered, 0 started, 0 registered or provisioned before');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const secrets = readFileSync(join(dir, 'secrets.csv'), 'utf8').trim().split('\n');
    expect(secrets[0]).toBe('serial,method,secret');
    expect(secrets.slice(1).map((l) => l.split(',')[0])).toEqual(serials);
    expect(secrets[1]).toMatch(/^SN-1,credentials,dpl_/);
    expect(statSync(join(dir, 'secrets.csv')).mode & 0o777).toBe(0o600);

    const again = await doppel(
      ['provision', '--tenant', tenantId, '--file', 'devices.csv', '--secrets-out', 'secrets.csv'],
      dir,
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('[cli:provision.secrets-out-exists]');
    expect(readFileSync(join(dir, 'secrets.csv'), 'utf8').trim().split('\n')).toEqual(secrets);

    // A file with a bad row: nothing is started, the line is named, no secrets file appears.
    writeFileSync(join(dir, 'bad.csv'), 'serial,method\nSN-100,credentials\nSN-101,teleport\n');
    const bad = await doppel(
      ['provision', '--tenant', tenantId, '--file', 'bad.csv', '--secrets-out', 'bad-secrets.csv'],
      dir,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('line 3: method:');
    expect(bad.stderr).toContain('[provisioning:bulk.invalid]');
    expect(existsSync(join(dir, 'bad-secrets.csv'))).toBe(false);
  });

  it('with --wait-active follows activation and exits non-zero when rows are refused or fail', async () => {
    const tenantId = uniqueTenant('bpw');
    const dir = mkdtempSync(join(tmpdir(), 'doppel-bulk-'));
    await graphql(stack.apiUrl, PROVISION, { i: { tenantId, serial: 'SN-OLD' } });
    writeFileSync(
      join(dir, 'devices.json'),
      // SN-1 expects a firmware: its own provisioning workflow times its activation out.
      JSON.stringify([
        { serial: 'SN-1', activationTimeoutS: 5, expect: { firmware: '1.0' } },
        { serial: 'SN-OLD' },
      ]),
    );
    const run = await doppel(
      [
        'provision',
        '--tenant',
        tenantId,
        '--file',
        'devices.json',
        '--wait-active',
        '--interval',
        '200',
      ],
      dir,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^serial,method,secret\nSN-1,credentials,dpl_\S+\n$/);
    expect(run.stderr).toContain('refused: item 2 SN-OLD: SN-OLD was provisioned before');
    expect(run.stderr).toContain('settled 2/2 active 0, awaiting 0, failed 1');
    expect(run.stderr).toContain(
      'item 1 SN-1: provisioning FAILED — activation not verified within 5 s: the device never connected',
    );
  });
});

import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer } from './support/auth';
import { runCli } from './support/cli';
import { graphql } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

// The operator CLI as a user runs it: a process of its own, logged in with a token kept in
// its own config folder, listing, inspecting and exporting a tenant's records.

let stack: TestStack;
const tenantId = uniqueTenant('cli');
const config = mkdtempSync(path.join(os.tmpdir(), 'doppel-cli-'));
const asUser = { DOPPEL_CONFIG_DIR: config, DOPPEL_TOKEN: '' };
const cli = (args: string[], env: Record<string, string> = asUser) =>
  runCli(stack.apiUrl, args, () => {}, env);

beforeAll(async () => {
  stack = await startTestStack();
  for (const deviceId of ['cli-1', 'cli-2', 'cli-3']) {
    const res = await graphql(
      stack.apiUrl,
      'mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }',
      { i: { tenantId, deviceId, model: 'wallbox-x' } },
    );
    expect(res.errors).toBeUndefined();
  }
  await graphql(
    stack.apiUrl,
    'mutation ($i: SetDeviceTagsInput!) { setDeviceTags(input: $i) { version } }',
    { i: { tenantId, deviceId: 'cli-2', tags: ['north'] } },
  );
});
afterAll(() => stack?.stop());

describe('doppel login, devices and export', () => {
  it('refuses to work without credentials and says how to log in', async () => {
    const run = await cli(['devices', 'list', '--tenant', tenantId]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('doppel login');
    expect(run.stderr).toContain('[api:unauthenticated]');
  });

  it('names the API it tried when its token is refused there', async () => {
    const run = await cli(['whoami'], { ...asUser, DOPPEL_TOKEN: 'a-token-of-another-server' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the API at ${stack.apiUrl}`);
    expect(run.stderr).toContain('[api:unauthenticated]');
  });

  it('finds the API `npm start` wrote into its data folder when not given --api', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'doppel-data-'));
    writeFileSync(path.join(dataDir, 'api-url'), `${stack.apiUrl}\n`);
    const env = {
      ...asUser,
      DOPPEL_TOKEN: ADMIN_TOKEN,
      DOPPEL_API_URL: '',
      DOPPEL_DATA_DIR: dataDir,
    };
    const whoami = await runCli(null, ['whoami'], () => {}, env);
    expect(whoami.stderr).toBe('');
    expect(whoami.stdout.trim()).toBe('user:test-admin · platform-admin in every tenant');
    // DOPPEL_API_URL still comes first, and the error names where it went.
    const elsewhere = 'http://127.0.0.1:9/graphql';
    const told = await runCli(null, ['whoami'], () => {}, { ...env, DOPPEL_API_URL: elsewhere });
    expect(told.code).toBe(1);
    expect(told.stderr).toContain(`cannot reach the API at ${elsewhere}`);
  });

  it('logs in with a token file, keeps it readable by the user only, and knows who it is', async () => {
    const tokenFile = path.join(config, 'token');
    writeFileSync(tokenFile, `${ADMIN_TOKEN}\n`);
    const login = await cli(['login', '--token-file', tokenFile]);
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('logged in as user:test-admin');
    expect(statSync(path.join(config, 'credentials.json')).mode & 0o777).toBe(0o600);
    const whoami = await cli(['whoami']);
    expect(whoami.stdout.trim()).toBe('user:test-admin · platform-admin in every tenant');
    const bad = await cli(['login', '--token', 'not-a-token']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('[api:unauthenticated]');
  });

  it('lists devices with filters as a table, JSON or CSV, and inspects one', async () => {
    const table = await cli(['devices', 'list', '--tenant', tenantId]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^deviceId\s+lifecycle\s+connectivity/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['cli-1', 'cli-2', 'cli-3']);

    const tagged = await cli([
      'devices',
      'list',
      '--tenant',
      tenantId,
      '--tag',
      'north',
      '--format',
      'json',
    ]);
    expect(JSON.parse(tagged.stdout)).toEqual([
      expect.objectContaining({ deviceId: 'cli-2', tags: 'north', lifecycle: 'PROVISIONED' }),
    ]);
    const limited = await cli([
      'devices',
      'list',
      '--tenant',
      tenantId,
      '--limit',
      '2',
      '--format',
      'csv',
    ]);
    expect(parse(limited.stdout, { columns: true }).map((r: any) => r.deviceId)).toEqual([
      'cli-1',
      'cli-2',
    ]);

    const inspect = await cli(['devices', 'inspect', 'cli-2', '--tenant', tenantId]);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain(`Temporal workflow device:${tenantId}:cli-2`);
    expect(inspect.stdout).toContain('tags north');
    const missing = await cli(['devices', 'inspect', 'nobody', '--tenant', tenantId]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[twin:device.not-found]');
  });

  it('exports devices and the audit trail to files, never overwriting one', async () => {
    const devicesCsv = path.join(config, 'devices.csv');
    const first = await cli(['export', 'devices', '--tenant', tenantId, '--out', devicesCsv]);
    expect(first.code).toBe(0);
    const rows = parse(readFileSync(devicesCsv, 'utf8'), { columns: true }) as any[];
    expect(rows.map((r) => [r.deviceId, r.model])).toEqual([
      ['cli-1', 'wallbox-x'],
      ['cli-2', 'wallbox-x'],
      ['cli-3', 'wallbox-x'],
    ]);
    const again = await cli(['export', 'devices', '--tenant', tenantId, '--out', devicesCsv]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('[cli:output.exists]');

    const audit = path.join(config, 'audit.json');
    expect(
      (await cli(['export', 'audit', '--tenant', tenantId, '--format', 'json', '--out', audit]))
        .code,
    ).toBe(0);
    const all = JSON.parse(readFileSync(audit, 'utf8')) as any[];
    // The twins' own entries (registration, tags) are there too, each with its subject.
    expect(all.filter((e) => e.role === 'twin').map((e) => e.operation)).toEqual([
      'device.tags-changed',
      'device.registered',
      'device.registered',
      'device.registered',
    ]);
    const entries = all.filter((e) => e.role !== 'twin');
    expect(entries.map((e) => e.operation)).toEqual([
      'setDeviceTags',
      'registerDevice',
      'registerDevice',
      'registerDevice',
    ]);
    expect(entries.every((e) => e.actor === 'user:test-admin' && e.outcome === 'ok')).toBe(true);
  });

  it('is refused what the role behind its token may not do', async () => {
    const viewer = (await bearer('viewer', tenantId)).authorization.slice('Bearer '.length);
    const run = await cli(['export', 'audit', '--tenant', tenantId, '--token', viewer]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[api:forbidden]');
    const list = await cli([
      'devices',
      'list',
      '--tenant',
      tenantId,
      '--token',
      viewer,
      '--format',
      'json',
    ]);
    expect(JSON.parse(list.stdout)).toHaveLength(3);
  });
});

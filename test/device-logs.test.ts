import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../deploy/embedded/paths';
import { ADMIN_TOKEN, bearer } from './support/auth';
import type { TestDevice } from './support/device-client';
import { eventually, graphql, graphqlOk, testCredentials } from './support/graphql';
import { bootPayload, connectStation, type OcppVersion } from './support/ocpp-station';
import {
  helloDevice,
  registerDevice,
  startTestStack,
  uniqueTenant,
  type TestStack,
} from './support/stack';

/*
 * Device logs and diagnostics (docs/operations.md): OCPP stations upload requested log files to
 * one-time URLs on the gateway, JSON and MQTT devices send log lines; both are found by search
 * (GraphQL, `doppel logs`) and kept for a retention period.
 */

const MAX_UPLOAD = 1_000_000;
let stack: TestStack;
let tenantId: string;
const cleanup: Array<() => unknown> = [];

beforeAll(async () => {
  stack = await startTestStack({ maxUploadBytes: MAX_UPLOAD });
  tenantId = uniqueTenant('logs');
});
afterAll(async () => {
  for (const c of cleanup) await c();
  await stack?.stop();
});

const REQUEST = `mutation ($t: ID!, $d: ID!) {
  requestDeviceLog(tenantId: $t, deviceId: $d) { id status expiresAt } }`;
const REQUESTS = `query ($t: ID!, $d: ID!) {
  logRequests(tenantId: $t, deviceId: $d) { id status upload { id sha256 } } }`;
const UPLOADS = `query ($t: ID!, $d: ID!, $n: String) {
  logUploads(tenantId: $t, deviceId: $d, filter: { name: $n }) {
    id name size sha256 contentType requestId downloadPath } }`;
const LOGS = `query ($t: ID!, $d: ID!, $f: DeviceLogFilter) {
  deviceLogs(tenantId: $t, deviceId: $d, filter: $f) { nodes { id at level source text attributes } } }`;
const DEVICE_LINKS = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) {
  logs(filter: { level: ERROR }) { nodes { text } } logUploads { name } } }`;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const rand = () => Math.random().toString(36).slice(2, 8);

/** A booted station whose handler answers `action` and reports its params. */
async function stationAsked(version: OcppVersion, action: string, answer: unknown) {
  const deviceId = `cp-${rand()}`;
  const token = await registerDevice(stack, tenantId, deviceId);
  const cp = await connectStation(stack.ocppUrl, version, deviceId, token, tenantId);
  cleanup.push(() => cp.close({ force: true }));
  // The station's calls of `action` in order; asked(n) waits for the n-th.
  const calls: any[] = [];
  cp.handle(({ method, params }) => {
    if (method !== action) throw new Error(`unexpected ${method}`);
    calls.push(params);
    return answer;
  });
  const asked = (n: number) => eventually(async () => calls[n]);
  expect(await cp.call('BootNotification', bootPayload(version))).toMatchObject({
    status: 'Accepted',
  });
  return { cp, deviceId, asked };
}

async function requestLog(deviceId: string): Promise<string> {
  const { requestDeviceLog } = await graphqlOk(stack.apiUrl, REQUEST, { t: tenantId, d: deviceId });
  expect(requestDeviceLog.status).toBe('sent');
  return requestDeviceLog.id as string;
}

const requestOf = async (deviceId: string, id: string) =>
  (await graphqlOk(stack.apiUrl, REQUESTS, { t: tenantId, d: deviceId })).logRequests.find(
    (r: { id: string }) => r.id === id,
  );

describe('OCPP log files', () => {
  it('a 1.6 station gets GetDiagnostics, POSTs multipart to the one-time URL; the file is found and downloaded intact', async () => {
    const { cp, deviceId, asked } = await stationAsked('ocpp1.6', 'GetDiagnostics', {
      fileName: 'diag-16.zip',
    });
    const requestId = await requestLog(deviceId);
    const params = await asked(0);
    expect(params.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/uploads\/[A-Za-z0-9_-]{43}$/);

    await cp.call('DiagnosticsStatusNotification', { status: 'Uploading' });
    expect((await requestOf(deviceId, requestId)).status).toBe('Uploading');

    const archive = randomBytes(300_000);
    const form = new FormData();
    form.append('note', 'before the file');
    form.append('file', new Blob([archive], { type: 'application/zip' }), 'diag-16.zip');
    const res = await fetch(params.location, { method: 'POST', body: form });
    expect(res.status).toBe(201);
    await cp.call('DiagnosticsStatusNotification', { status: 'Uploaded' });

    const { logUploads } = await graphqlOk(stack.apiUrl, UPLOADS, {
      t: tenantId,
      d: deviceId,
      n: 'DIAG-16',
    });
    expect(logUploads).toHaveLength(1);
    const [upload] = logUploads;
    expect(upload).toMatchObject({
      name: 'diag-16.zip',
      size: archive.length,
      sha256: sha256(archive),
      contentType: 'application/zip',
      requestId,
    });
    const request = await requestOf(deviceId, requestId);
    expect(request).toMatchObject({ status: 'uploaded', upload: { id: upload.id } });

    const download = await fetch(new URL(upload.downloadPath, stack.apiUrl), {
      headers: testCredentials(),
    });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(archive)).toBe(true);

    // Without a credential, or from another tenant, there is nothing to download.
    expect((await fetch(new URL(upload.downloadPath, stack.apiUrl))).status).toBe(401);
    const stranger = await bearer('operator', uniqueTenant('other'));
    expect(
      (await fetch(new URL(upload.downloadPath, stack.apiUrl), { headers: stranger })).status,
    ).toBe(404);
  });

  it('a 2.0.1 station gets GetLog and PUTs the file; the URL takes one upload only', async () => {
    const { cp, deviceId, asked } = await stationAsked('ocpp2.0.1', 'GetLog', {
      status: 'Accepted',
      filename: 'station.log',
    });
    const requestId = await requestLog(deviceId);
    const params = await asked(0);
    expect(params).toMatchObject({ logType: 'DiagnosticsLog', requestId: expect.any(Number) });

    await cp.call('LogStatusNotification', { status: 'Uploading', requestId: params.requestId });
    expect((await requestOf(deviceId, requestId)).status).toBe('Uploading');

    const text = Buffer.from('2026-12-05T07:00:00Z INFO boot\n2026-12-05T07:00:01Z ERROR E42\n');
    const put = await fetch(params.log.remoteLocation, {
      method: 'PUT',
      body: text,
      headers: { 'content-type': 'text/plain' },
    });
    expect(put.status).toBe(201);
    expect(await put.json()).toMatchObject({ size: text.length, sha256: sha256(text) });

    const again = await fetch(params.log.remoteLocation, { method: 'PUT', body: 'again' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'upload.used' });
    const post = await fetch(params.log.remoteLocation, { method: 'POST', body: 'again' });
    expect(post.status).toBe(409);
    expect(await (await fetch(stack.metricsUrl)).text()).toMatch(
      /doppel_gateway_log_uploads_total\{outcome="upload\.used"\} [1-9]/,
    );

    const unknown = await fetch(params.log.remoteLocation.replace(/[^/]+$/, 'x'.repeat(43)), {
      method: 'PUT',
      body: 'x',
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'upload.unknown' });

    const { logUploads } = await graphqlOk(stack.apiUrl, UPLOADS, { t: tenantId, d: deviceId });
    expect(logUploads).toEqual([
      expect.objectContaining({ size: text.length, sha256: sha256(text), requestId }),
    ]);
    const download = await fetch(new URL(logUploads[0].downloadPath, stack.apiUrl), {
      headers: testCredentials(),
    });
    expect(await download.text()).toBe(text.toString());
  });

  it('a file over the limit is refused with upload.too-large: by its length before the URL is used, or while it streams', async () => {
    const { deviceId, asked } = await stationAsked('ocpp2.0.1', 'GetLog', { status: 'Accepted' });
    const requestId = await requestLog(deviceId);
    const params = await asked(0);
    const big = await fetch(params.log.remoteLocation, {
      method: 'PUT',
      body: randomBytes(MAX_UPLOAD + 100_000),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'upload.too-large' });
    // Refused by its Content-Length, the URL is still unused: a smaller file is taken.
    const small = await fetch(params.log.remoteLocation, { method: 'PUT', body: 'small' });
    expect(small.status).toBe(201);
    expect((await requestOf(deviceId, requestId)).status).toBe('uploaded');

    // Without a length (chunked), the limit stops the stream; the request is marked failed.
    const second = await requestLog(deviceId);
    const chunks = [randomBytes(600_000), randomBytes(600_000)];
    const body = new ReadableStream({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const streamed = await fetch((await asked(1)).log.remoteLocation, {
      method: 'PUT',
      body,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await requestOf(deviceId, second)).status).toBe('upload-failed');
  });
});

describe('log files from other devices, and expiry', () => {
  it('a native JSON device gets upload-log with the URL and uploads by PUT', async () => {
    const deviceId = `dev-${rand()}`;
    const token = await registerDevice(stack, tenantId, deviceId);
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId, token });
    cleanup.push(() => device.close());
    const requestId = await requestLog(deviceId);
    const command = await device.next((m) => m.type === 'command');
    expect(command).toMatchObject({
      name: 'upload-log',
      params: { url: expect.stringMatching(/\/uploads\/[A-Za-z0-9_-]{43}$/) },
    });
    device.send({ type: 'command-result', seq: 2, id: command.id, status: 'accepted' });
    const put = await fetch((command.params as { url: string }).url, {
      method: 'PUT',
      body: 'json device log',
    });
    expect(put.status).toBe(201);
    expect((await requestOf(deviceId, requestId)).upload).not.toBeNull();
  });

  it('a log request for a device that does not exist is refused, and makes no URL', async () => {
    const res = await graphql(stack.apiUrl, REQUEST, { t: tenantId, d: 'no-such-device' });
    expect(res.errors?.[0]?.extensions?.code).toBe('twin:device.not-found');
    const { logRequests } = await graphqlOk(stack.apiUrl, REQUESTS, {
      t: tenantId,
      d: 'no-such-device',
    });
    expect(logRequests).toEqual([]);
  });

  it('an expired URL is refused with upload.expired', async () => {
    const { deviceId, asked } = await stationAsked('ocpp1.6', 'GetDiagnostics', {});
    const requestId = await requestLog(deviceId);
    const { location } = await asked(0);
    // An hour later, as far as the URL is concerned.
    await stack.database.sql`update log_requests set expires_at = now() - interval '1 second'
      where id = ${requestId}`;
    const res = await fetch(location, { method: 'PUT', body: 'late' });
    expect(res.status).toBe(410);
    expect(await res.json()).toMatchObject({ code: 'upload.expired' });
  });
});

describe('log lines', () => {
  const lines = [
    { at: '2026-12-05T06:00:00.000Z', level: 'info', text: 'boot complete' },
    { at: '2026-12-05T06:00:01.000Z', level: 'warn', text: 'temperature high 71C' },
    {
      at: '2026-12-05T06:00:02.000Z',
      level: 'error',
      text: 'E_0x1F relay stuck',
      source: 'relay',
      attributes: { connector: 1 },
    },
  ];
  let json: { device: TestDevice; deviceId: string };

  it("a JSON device's log lines are acked and found by text and level", async () => {
    const deviceId = `dev-${rand()}`;
    const token = await registerDevice(stack, tenantId, deviceId);
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId, token });
    cleanup.push(() => device.close());
    json = { device, deviceId };
    device.send({ type: 'log', seq: 2, lines });
    expect(await device.next((m) => m.seq === 2)).toEqual({ type: 'ack', seq: 2 });

    const byText = await graphqlOk(stack.apiUrl, LOGS, {
      t: tenantId,
      d: deviceId,
      f: { text: 'e_0x1f' },
    });
    expect(byText.deviceLogs.nodes).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        source: 'relay',
        text: 'E_0x1F relay stuck',
        attributes: { connector: 1 },
      }),
    ]);
    const warnAndUp = await graphqlOk(stack.apiUrl, LOGS, {
      t: tenantId,
      d: deviceId,
      f: { level: 'WARN' },
    });
    expect(warnAndUp.deviceLogs.nodes.map((l: { text: string }) => l.text)).toEqual([
      'E_0x1F relay stuck',
      'temperature high 71C',
    ]);
    const window = await graphqlOk(stack.apiUrl, LOGS, {
      t: tenantId,
      d: deviceId,
      f: { from: '2026-12-05T06:00:00.500Z', to: '2026-12-05T06:00:01.500Z' },
    });
    expect(window.deviceLogs.nodes.map((l: { text: string }) => l.text)).toEqual([
      'temperature high 71C',
    ]);
    // "%" is a character to search for, not a wildcard.
    const literal = await graphqlOk(stack.apiUrl, LOGS, {
      t: tenantId,
      d: deviceId,
      f: { text: '%' },
    });
    expect(literal.deviceLogs.nodes).toEqual([]);
    // The twin links to them.
    const { device: twin } = await graphqlOk(stack.apiUrl, DEVICE_LINKS, {
      t: tenantId,
      d: deviceId,
    });
    expect(twin.logs.nodes).toEqual([{ text: 'E_0x1F relay stuck' }]);
  });

  it('a malformed log message is refused with the field at fault', async () => {
    const { device } = json;
    device.send({ type: 'log', seq: 3, lines: [{ at: 'yesterday', level: 'info', text: 'x' }] });
    expect(await device.next((m) => m.seq === 3)).toMatchObject({
      type: 'error',
      code: 'gateway:json.invalid-message',
      message: expect.stringContaining('lines.0.at'),
    });
  });

  it('lines past the per-device rate are dropped and the ack says how many', async () => {
    const deviceId = `flood-${rand()}`;
    const token = await registerDevice(stack, tenantId, deviceId);
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId, token });
    cleanup.push(() => device.close());
    const at = new Date().toISOString();
    const flood = Array.from({ length: 500 }, (_, i) => ({
      at,
      level: 'debug',
      text: `flood-${String(i).padStart(4, '0')}`,
    }));
    device.send({ type: 'log', seq: 2, lines: flood });
    // 100 a second by default, a second's worth at once: the first 100 are kept.
    expect(await device.next((m) => m.seq === 2)).toEqual({ type: 'ack', seq: 2, dropped: 400 });
    const found = async (text: string) =>
      (await graphqlOk(stack.apiUrl, LOGS, { t: tenantId, d: deviceId, f: { text } })).deviceLogs
        .nodes.length;
    expect(await found('flood-0099')).toBe(1);
    expect(await found('flood-0100')).toBe(0);
    // Operators see it in the gateway's metrics.
    const metrics = await (await fetch(stack.metricsUrl)).text();
    const dropped =
      /doppel_gateway_log_lines_total\{protocol="json",outcome="dropped"\} (\d+)/.exec(metrics);
    expect(Number(dropped?.[1])).toBeGreaterThanOrEqual(400);
  });

  it("an MQTT device's log line published on its log topic is found", async () => {
    const deviceId = `mq-${rand()}`;
    const token = await registerDevice(stack, tenantId, deviceId);
    const client = await mqtt.connectAsync(stack.gatewayUrl.replace(/\/device$/, '/mqtt'), {
      protocolVersion: 5,
      reconnectPeriod: 0,
      clientId: `${tenantId}/${deviceId}`,
      username: `${tenantId}/${deviceId}`,
      password: token,
    });
    cleanup.push(() => client.endAsync(true));
    const puback = await client.publishAsync(
      `doppel/${tenantId}/${deviceId}/log`,
      JSON.stringify({
        lines: [{ at: new Date().toISOString(), level: 'fatal', text: 'watchdog reset (mqtt)' }],
      }),
      { qos: 1 },
    );
    expect((puback as { reasonCode?: number } | undefined)?.reasonCode ?? 0).toBe(0);
    const found = await graphqlOk(stack.apiUrl, LOGS, {
      t: tenantId,
      d: deviceId,
      f: { text: 'watchdog', level: 'ERROR' },
    });
    expect(found.deviceLogs.nodes).toEqual([
      expect.objectContaining({ level: 'FATAL', text: 'watchdog reset (mqtt)' }),
    ]);
  });

  it('`doppel logs --follow` prints a line sent after it started', async () => {
    const { device, deviceId } = json;
    const child: ChildProcessWithoutNullStreams = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(PROJECT_ROOT, 'graphql/cli/doppel.ts'),
        '--api',
        stack.apiUrl,
        'logs',
        '--tenant',
        tenantId,
        '--device',
        deviceId,
        '--follow',
        '--interval-ms',
        '200',
      ],
      { cwd: PROJECT_ROOT, env: { ...process.env, DOPPEL_TOKEN: ADMIN_TOKEN } },
    );
    cleanup.push(() => child.kill());
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const printed = (text: string) =>
      eventually(async () => {
        if (child.exitCode !== null) throw new Error(`doppel logs exited: ${stderr}`);
        return stdout.includes(text) ? true : undefined;
      }, 60_000);
    // What was there is printed first (oldest first), then it waits for more.
    await printed('E_0x1F relay stuck');
    expect(stdout.indexOf('boot complete')).toBeLessThan(stdout.indexOf('E_0x1F relay stuck'));
    device.send({
      type: 'log',
      seq: 10,
      lines: [{ at: new Date().toISOString(), level: 'info', text: 'followed line 7731' }],
    });
    expect(await device.next((m) => m.seq === 10)).toEqual({ type: 'ack', seq: 10 });
    await printed('followed line 7731');
    expect(stdout).toMatch(/INFO +followed line 7731/);
    expect(stdout.split('followed line 7731')).toHaveLength(2);
    child.kill();
  }, 90_000);
});

describe('retention', () => {
  it("drops a day's partition past the retention period, and its lines with it", async () => {
    const sql = stack.database.sql;
    const old = new Date(Date.now() - 40 * 86_400_000);
    const day = old.toISOString().slice(0, 10);
    const partition = `device_log_lines_p${day.replaceAll('-', '')}`;
    const deviceId = `old-${rand()}`;
    // The partition of a day 40 days ago, as the job made it then (nothing older is dropped).
    await sql`select * from device_log_partitions(100000, 0, ${day}::date)`;
    await sql`insert into device_log_lines (tenant_id, device_id, at, level, text, received_at)
      values (${tenantId}, ${deviceId}, ${old.toISOString()}, 'info', 'ancient line', ${old.toISOString()})`;
    const [stored] = await sql<{ part: string }[]>`
      select tableoid::regclass::text as part from device_log_lines where device_id = ${deviceId}`;
    expect(stored?.part).toBe(partition);

    const [ran] = await sql<{ created: number; dropped: number }[]>`
      select * from device_log_partitions(30, 7)`;
    expect(ran?.dropped).toBeGreaterThanOrEqual(1);
    const [gone] = await sql<{ t: string | null }[]>`select to_regclass(${partition})::text as t`;
    expect(gone?.t).toBeNull();
    const found = await graphqlOk(stack.apiUrl, LOGS, { t: tenantId, d: deviceId, f: null });
    expect(found.deviceLogs.nodes).toEqual([]);
    // Today's and the coming days' partitions exist.
    const [today] = await sql<
      { t: string | null }[]
    >`select to_regclass(${`device_log_lines_p${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`})::text as t`;
    expect(today?.t).not.toBeNull();
  });
});

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { RPCServer } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargingSessions } from '../db/schema';
import { verifyDoppelHmac } from '../outbound/signing';
import { eventually, graphql } from './support/graphql';
import { bootPayload, connectStation, rpcCode, type Station } from './support/ocpp-station';
import {
  helloDevice,
  registerDevice,
  startTestStack,
  uniqueTenant,
  type TestStack,
} from './support/stack';

/**
 * Multi-backend routing with real parts: ocpp-rpc stations on the gateway, ocpp-rpc servers as
 * the upstream CSMSs, a node:http server as the webhook.
 */
let stack: TestStack;
let ocppUrl: string;
beforeAll(async () => {
  stack = await startTestStack();
  ocppUrl = stack.ocppUrl;
});
afterAll(() => stack?.stop());

const REGISTER_DEVICE = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { token } }`;
const REGISTER_BACKEND = `mutation ($input: RegisterBackendInput!) { registerBackend(input: $input) { id version } }`;
const REMOVE_BACKEND = `mutation ($t: ID!, $b: ID!) { removeBackend(tenantId: $t, backendId: $b) { removed } }`;
const SEND = `mutation ($i: SendCommandInput!) { sendCommand(input: $i) { commandId } }`;

type Answer = (method: string, params: any) => unknown;

/** An upstream CSMS: an ocpp-rpc server recording what each station sends it, in order. */
class Csms {
  readonly received: Array<{ identity: string; method: string; params: any }> = [];
  readonly clients = new Map<string, any>();
  readonly connections: string[] = [];
  private server: RPCServer | null = null;
  port = 0;

  constructor(private readonly answer: Answer) {}

  async start(): Promise<this> {
    const server = new RPCServer({ protocols: ['ocpp1.6', 'ocpp2.0.1'], strictMode: false });
    server.on('client', (client: any) => {
      this.clients.set(client.identity, client);
      this.connections.push(client.identity);
      client.once('close', () => {
        if (this.clients.get(client.identity) === client) this.clients.delete(client.identity);
      });
      client.handle(({ method, params }: { method: string; params: unknown }) => {
        this.received.push({ identity: client.identity, method, params });
        return this.answer(method, params);
      });
    });
    const http = await server.listen(this.port, '127.0.0.1');
    this.port = (http.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** An outage: every station link is cut and the port stops answering. */
  async stop(): Promise<void> {
    await this.server?.close({ force: true, awaitPending: false });
    this.server = null;
    this.clients.clear();
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ocpp`;
  }

  methods(identity: string): string[] {
    return this.received.filter((r) => r.identity === identity).map((r) => r.method);
  }
}

const csmsAnswers =
  (name: string): Answer =>
  (method) => {
    switch (method) {
      case 'BootNotification':
        return name === 'primary'
          ? { status: 'Accepted', interval: 77, currentTime: '2026-01-01T00:00:00.000Z' }
          : { status: 'Rejected', interval: 5, currentTime: '2026-01-01T00:00:00.000Z' };
      case 'Heartbeat':
        return { currentTime: name === 'primary' ? '2026-01-02T00:00:00.000Z' : 'bogus' };
      case 'Authorize':
        return { idTagInfo: { status: name === 'primary' ? 'Blocked' : 'Invalid' } };
      case 'StartTransaction':
        return { transactionId: name === 'primary' ? 4242 : 1, idTagInfo: { status: 'Accepted' } };
      case 'StopTransaction':
        return { idTagInfo: { status: 'Accepted' } };
      default:
        return {};
    }
  };

async function registeredStation() {
  const tenantId = uniqueTenant('route');
  const deviceId = `cp-${Math.random().toString(36).slice(2, 8)}`;
  const res = await graphql(stack.apiUrl, REGISTER_DEVICE, { input: { tenantId, deviceId } });
  expect(res.errors).toBeUndefined();
  return { tenantId, deviceId, token: res.data.registerDevice.token as string };
}

async function registerBackend(tenantId: string, input: Record<string, unknown>) {
  const res = await graphql(stack.apiUrl, REGISTER_BACKEND, { input: { tenantId, ...input } });
  expect(res.errors).toBeUndefined();
  return res.data.registerBackend;
}

/** Station handler that records every server CALL and how many were open at once. */
function recordingStation(cp: Station, delayMs = 200) {
  const seen: string[] = [];
  let open = 0;
  let maxOpen = 0;
  cp.handle(async ({ method }) => {
    seen.push(method);
    maxOpen = Math.max(maxOpen, ++open);
    await new Promise((r) => setTimeout(r, delayMs));
    open--;
    return { status: 'Accepted' };
  });
  return { seen, maxOpen: () => maxOpen };
}

describe('an OCPP 1.6 station with a primary and a secondary backend', () => {
  let primary: Csms;
  let secondary: Csms;
  let tenantId: string;
  let deviceId: string;
  let cp: Station;
  let server: ReturnType<typeof recordingStation>;

  beforeAll(async () => {
    primary = await new Csms(csmsAnswers('primary')).start();
    secondary = await new Csms(csmsAnswers('secondary')).start();
    const registered = await registeredStation();
    ({ tenantId, deviceId } = registered);
    await registerBackend(tenantId, {
      id: 'csms-a',
      kind: 'OCPP',
      url: primary.url,
      role: 'PRIMARY',
      allowedActions: ['RemoteStartTransaction'],
      replyTimeoutMs: 1_500,
    });
    await registerBackend(tenantId, { id: 'csms-b', kind: 'OCPP', url: secondary.url });
    cp = await connectStation(ocppUrl, 'ocpp1.6', deviceId, registered.token, tenantId);
    server = recordingStation(cp);
  });
  afterAll(async () => {
    await cp?.close();
    await primary?.stop();
    await secondary?.stop();
  });

  it("hears only the primary's answers, while both backends get every call in order", async () => {
    const boot = await cp.call('BootNotification', bootPayload('ocpp1.6'));
    expect(boot).toEqual({
      status: 'Accepted',
      interval: 77,
      currentTime: '2026-01-01T00:00:00.000Z',
    });
    expect(await cp.call('Heartbeat', {})).toEqual({ currentTime: '2026-01-02T00:00:00.000Z' });
    expect(await cp.call('Authorize', { idTag: 'TAG-1' })).toEqual({
      idTagInfo: { status: 'Blocked' },
    });
    const started = await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: 'TAG-1',
      meterStart: 1000,
      timestamp: '2026-11-22T10:00:00.000Z',
    });
    expect(started.transactionId).toBe(4242);
    await cp.call('StopTransaction', {
      transactionId: 4242,
      meterStop: 5000,
      timestamp: '2026-11-22T11:00:00.000Z',
    });
    const sent = [
      'BootNotification',
      'Heartbeat',
      'Authorize',
      'StartTransaction',
      'StopTransaction',
    ];
    expect(primary.methods(deviceId)).toEqual(sent);
    await eventually(async () => secondary.methods(deviceId).length === sent.length || undefined);
    expect(secondary.methods(deviceId)).toEqual(sent);

    // Doppel keeps its own record under the primary's transaction id.
    const [session] = await stack.database.db
      .select()
      .from(chargingSessions)
      .where(and(eq(chargingSessions.tenantId, tenantId), eq(chargingSessions.deviceId, deviceId)));
    expect(session).toMatchObject({
      transactionId: '4242',
      meterStartWh: 1000,
      meterStopWh: 5000,
    });
  });

  it("admits a backend's CALL on its allow-list, one at a time with the twin's commands", async () => {
    const remoteStart = { connectorId: 1, idTag: 'TAG-9' };
    const fromBackend = primary.clients.get(deviceId).call('RemoteStartTransaction', remoteStart);
    const fromTwin = graphql(stack.apiUrl, SEND, {
      i: { tenantId, deviceId, name: 'Reset', params: { type: 'Soft' } },
    });
    const fromBackend2 = primary.clients.get(deviceId).call('RemoteStartTransaction', remoteStart);
    expect(await fromBackend).toEqual({ status: 'Accepted' });
    expect(await fromBackend2).toEqual({ status: 'Accepted' });
    expect((await fromTwin).errors).toBeUndefined();
    await eventually(async () => server.seen.length === 3 || undefined);
    expect([...server.seen].sort()).toEqual([
      'RemoteStartTransaction',
      'RemoteStartTransaction',
      'Reset',
    ]);
    expect(server.maxOpen()).toBe(1);

    // Not on the allow-list, or outside the schema: refused upstream, never seen by the station.
    expect(await rpcCode(primary.clients.get(deviceId).call('Reset', { type: 'Hard' }))).toBe(
      'SecurityError',
    );
    expect(
      await rpcCode(primary.clients.get(deviceId).call('RemoteStartTransaction', { idTag: 42 })),
    ).toBe('TypeConstraintViolation');
    // A secondary's allow-list is empty by default.
    expect(
      await rpcCode(secondary.clients.get(deviceId).call('RemoteStartTransaction', remoteStart)),
    ).toBe('SecurityError');
    expect(server.seen).toHaveLength(3);
  });

  it('buffers a secondary through its outage and replays in order, the station unaffected', async () => {
    await secondary.stop();
    const before = secondary.received.length;
    for (const status of ['Preparing', 'Charging', 'Finishing'])
      expect(
        await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status }),
      ).toEqual({});
    await secondary.start();
    await eventually(
      async () =>
        secondary.received.filter((r) => r.method === 'StatusNotification').length === 3 ||
        undefined,
      30_000,
    );
    const replayed = secondary.received.slice(before).filter((r) => r.identity === deviceId);
    // A new link tells the station's boot first, then what was held, in order.
    expect(replayed.map((r) => r.method)).toEqual([
      'BootNotification',
      'StatusNotification',
      'StatusNotification',
      'StatusNotification',
    ]);
    expect(replayed.slice(1).map((r) => r.params.status)).toEqual([
      'Preparing',
      'Charging',
      'Finishing',
    ]);
  });

  it("answers the station's CALL with a CALLERROR when the primary is down past its reply time-out, and replays it", async () => {
    await primary.stop();
    const startedAt = Date.now();
    expect(await rpcCode(cp.call('Heartbeat', {}))).toBe('GenericError');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_400);
    const before = primary.received.length;
    await primary.start();
    await eventually(
      async () => primary.received.slice(before).some((r) => r.method === 'Heartbeat') || undefined,
      30_000,
    );
    expect(primary.received.slice(before).map((r) => r.method)).toEqual([
      'BootNotification',
      'Heartbeat',
    ]);
    // Back to normal: the primary answers again.
    expect(await cp.call('Heartbeat', {})).toEqual({ currentTime: '2026-01-02T00:00:00.000Z' });
  });

  it('picks up a backend added or removed at run time, without a restart', async () => {
    const third = await new Csms(csmsAnswers('third')).start();
    try {
      await registerBackend(tenantId, { id: 'csms-c', kind: 'OCPP', url: third.url });
      await eventually(async () => third.connections.includes(deviceId) || undefined);
      await cp.call('StatusNotification', {
        connectorId: 1,
        errorCode: 'NoError',
        status: 'Available',
      });
      await eventually(async () => third.methods(deviceId).length === 2 || undefined);
      expect(third.methods(deviceId)).toEqual(['BootNotification', 'StatusNotification']);

      const removed = await graphql(stack.apiUrl, REMOVE_BACKEND, { t: tenantId, b: 'csms-c' });
      expect(removed.data.removeBackend.removed).toBe(true);
      await eventually(async () => !third.clients.has(deviceId) || undefined);
      await cp.call('Heartbeat', {});
      expect(third.methods(deviceId)).toHaveLength(2);
    } finally {
      await third.stop();
    }
  });
});

/** A webhook receiver: refuses the first `failFirst` deliveries with 503, then takes them. */
async function webhookReceiver(failFirst: number) {
  const deliveries: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  let refused = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (refused < failFirst) {
        refused++;
        res.writeHead(503).end();
        return;
      }
      deliveries.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    deliveries,
    refused: () => refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('a webhook backend', () => {
  it("gets every acknowledged device event, signed and in order, through the webhook's outage", async () => {
    const hook = await webhookReceiver(3);
    const secret = 'a-webhook-secret-of-32-characters';
    const tenantId = uniqueTenant('hook');
    const deviceId = 'sensor-1';
    const token = await registerDevice(stack, tenantId, deviceId);
    await registerBackend(tenantId, { id: 'reporting', kind: 'WEBHOOK', url: hook.url, secret });
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId, token });
    for (let seq = 2; seq <= 4; seq++) {
      device.send({ type: 'report', seq, state: { temperature: 20 + seq } });
      expect(await device.next((m) => m.seq === seq)).toEqual({ type: 'ack', seq });
    }
    device.send({
      type: 'telemetry',
      seq: 5,
      samples: [{ at: '2026-11-22T10:00:00Z', values: { v: 1 } }],
    });
    await device.next((m) => m.seq === 5);
    device.close();

    const events = await eventually(async () => {
      const parsed = hook.deliveries.map((d) => ({ ...d, event: JSON.parse(d.body) }));
      return parsed.some((d) => d.event.type === 'doppel.device.disconnected') ? parsed : undefined;
    }, 30_000);
    expect(hook.refused()).toBe(3);
    expect(events.map((d) => d.event.type)).toEqual([
      'doppel.device.connected',
      'doppel.device.report',
      'doppel.device.report',
      'doppel.device.report',
      'doppel.device.telemetry',
      'doppel.device.disconnected',
    ]);
    expect(
      events.filter((d) => d.event.type === 'doppel.device.report').map((d) => d.event.data.state),
    ).toEqual([{ temperature: 22 }, { temperature: 23 }, { temperature: 24 }]);
    for (const { headers, body, event } of events) {
      expect(event).toMatchObject({ specversion: '1.0', subject: `${tenantId}/${deviceId}` });
      const timestamp = Number(headers['x-doppel-timestamp']);
      expect(verifyDoppelHmac(secret, timestamp, body, String(headers['x-doppel-signature']))).toBe(
        true,
      );
      expect(
        verifyDoppelHmac(
          'another-secret-entirely',
          timestamp,
          body,
          String(headers['x-doppel-signature']),
        ),
      ).toBe(false);
    }
    expect(new Set(events.map((d) => d.event.id)).size).toBe(events.length);
    await hook.close();
  });
});

import http from 'node:http';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

/** Raw OCPP-J frames (ws) against the real gateway: every bad input gets the spec's answer. */
let stack: TestStack;
let ocppUrl: string;
beforeAll(async () => {
  stack = await startTestStack();
  ocppUrl = stack.ocppUrl;
});
afterAll(() => stack?.stop());

type Version = 'ocpp1.6' | 'ocpp2.0.1';
const REGISTER = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { token } }`;

async function registered() {
  const tenantId = uniqueTenant('raw');
  const deviceId = `raw-${Math.random().toString(36).slice(2, 10)}`;
  const res = await graphql(stack.apiUrl, REGISTER, { input: { tenantId, deviceId } });
  expect(res.errors).toBeUndefined();
  return { tenantId, deviceId, token: res.data.registerDevice.token as string };
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A station that writes frames by hand. */
class RawStation {
  readonly received: unknown[][] = [];
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.received.push(JSON.parse(data.toString()) as unknown[]));
    ws.on('close', (code) => (this.closeCode = code));
  }

  static async connect(protocols: string[]): Promise<RawStation> {
    const { tenantId, deviceId, token } = await registered();
    const ws = new WebSocket(`${ocppUrl}/${tenantId}/${deviceId}`, protocols, {
      headers: { authorization: basic(deviceId, token) },
    });
    const station = new RawStation(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return station;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The `n`-th frame received (1-based), waiting for it. */
  async frame(n: number, timeoutMs = 10_000): Promise<unknown[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (Date.now() > deadline || this.closeCode !== null)
        throw new Error(`frame ${n} not received; got ${JSON.stringify(this.received)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.received[n - 1]!;
  }

  async boot(version: Version): Promise<void> {
    const payload =
      version === 'ocpp1.6'
        ? { chargePointVendor: 'Raw', chargePointModel: 'R-1' }
        : { reason: 'PowerUp', chargingStation: { vendorName: 'Raw', model: 'R-1' } };
    const before = this.received.length;
    this.send([2, 'boot', 'BootNotification', payload]);
    expect(await this.frame(before + 1)).toMatchObject([3, 'boot', { status: 'Accepted' }]);
  }
}

/** The spec's code names per version (1.6's errata spellings kept). */
const CODES = {
  'ocpp1.6': {
    frame: 'FormationViolation',
    type: 'FormationViolation',
    format: 'FormationViolation',
    occurrence: 'OccurenceConstraintViolation',
  },
  'ocpp2.0.1': {
    frame: 'RpcFrameworkError',
    type: 'MessageTypeNotSupported',
    format: 'FormatViolation',
    occurrence: 'OccurrenceConstraintViolation',
  },
} as const;

describe.each(['ocpp1.6', 'ocpp2.0.1'] as const)('raw %s frames', (version) => {
  const codes = CODES[version];

  it('answers unreadable frames with CALLERROR "-1", never echoing them, and stays open', async () => {
    const cp = await RawStation.connect([version]);
    expect(cp.ws.protocol).toBe(version);
    const secret = '{"oops": [2, "abc", "Heartbeat"';
    cp.send(secret);
    cp.send('"just a string"');
    cp.send([2, 'x'.repeat(37), 'Heartbeat', {}]);
    cp.send([2, 17, 'Heartbeat', {}]);
    cp.ws.send(Buffer.from([2, 3, 4]), { binary: true });
    for (let n = 1; n <= 5; n++) {
      const frame = await cp.frame(n);
      expect(frame).toEqual([4, '-1', codes.frame, expect.any(String), {}]);
      expect(JSON.stringify(frame)).not.toContain('oops');
      expect(JSON.stringify(frame)).not.toContain('xxxxxxxxxx');
    }
    // A 36-character id is fine.
    await cp.boot(version);
    const id = 'y'.repeat(36);
    cp.send([2, id, 'Heartbeat', {}]);
    expect(await cp.frame(7)).toEqual([3, id, { currentTime: expect.any(String) }]);
    expect(cp.closeCode).toBeNull();
    cp.ws.close();
  });

  it('answers a bad message type, a malformed CALL and an unknown action with the id it read', async () => {
    const cp = await RawStation.connect([version]);
    await cp.boot(version);
    cp.send([7, 'm-type', 'Heartbeat', {}]);
    cp.send([2, 'm-short', 'Heartbeat']);
    cp.send([2, 'm-array', 'Heartbeat', []]);
    cp.send([2, 'm-unknown', 'MakeCoffee', {}]);
    // Defined by the version (a CSMS-to-station message), but nothing a station asks of us.
    cp.send([2, 'm-unserved', 'ClearCache', {}]);
    expect(await cp.frame(2)).toEqual([4, 'm-type', codes.type, expect.any(String), {}]);
    expect(await cp.frame(3)).toEqual([4, 'm-short', codes.format, expect.any(String), {}]);
    expect(await cp.frame(4)).toEqual([4, 'm-array', codes.format, expect.any(String), {}]);
    expect(await cp.frame(5)).toEqual([4, 'm-unknown', 'NotImplemented', expect.any(String), {}]);
    expect(await cp.frame(6)).toEqual([4, 'm-unserved', 'NotSupported', expect.any(String), {}]);
    expect(cp.closeCode).toBeNull();
    cp.ws.close();
  });

  it('validates payloads against the official schema without coercion, in the version spelling', async () => {
    const cp = await RawStation.connect([version]);
    // Schema checks come after boot gating, but BootNotification itself is validated.
    const boot =
      version === 'ocpp1.6'
        ? { chargePointVendor: 'Raw' }
        : { reason: 'PowerUp', chargingStation: { vendorName: 'Raw' } };
    cp.send([2, 'b-missing', 'BootNotification', boot]);
    expect(await cp.frame(1)).toEqual([4, 'b-missing', codes.occurrence, expect.any(String), {}]);
    await cp.boot(version);
    const status =
      version === 'ocpp1.6'
        ? (over: object) => ({ connectorId: 1, errorCode: 'NoError', status: 'Available', ...over })
        : (over: object) => ({
            timestamp: new Date().toISOString(),
            connectorStatus: 'Available',
            evseId: 1,
            connectorId: 1,
            ...over,
          });
    cp.send([2, 's-type', 'StatusNotification', status({ connectorId: '1' })]);
    cp.send([
      2,
      's-enum',
      'StatusNotification',
      status(version === 'ocpp1.6' ? { status: 'Sleeping' } : { connectorStatus: 'Sleeping' }),
    ]);
    cp.send([2, 's-extra', 'StatusNotification', status({ colour: 'green' })]);
    cp.send([2, 's-ok', 'StatusNotification', status({})]);
    expect(await cp.frame(3)).toEqual([
      4,
      's-type',
      'TypeConstraintViolation',
      expect.any(String),
      {},
    ]);
    expect(await cp.frame(4)).toEqual([
      4,
      's-enum',
      'PropertyConstraintViolation',
      expect.any(String),
      {},
    ]);
    expect(await cp.frame(5)).toEqual([4, 's-extra', codes.occurrence, expect.any(String), {}]);
    expect(await cp.frame(6)).toEqual([3, 's-ok', {}]);
    cp.ws.close();
  });

  it('answers CALLs sent without waiting strictly in order, none dropped', async () => {
    const cp = await RawStation.connect([version]);
    cp.send([2, 'early', 'Heartbeat', {}]);
    expect(await cp.frame(1)).toEqual([4, 'early', 'SecurityError', expect.any(String), {}]);
    await cp.boot(version);
    const ids = Array.from({ length: 8 }, (_, i) => `burst-${i}`);
    for (const id of ids)
      cp.send([2, id, 'DataTransfer', { vendorId: 'org.doppel', messageId: id }]);
    cp.send([2, 'burst-end', 'Heartbeat', {}]);
    await cp.frame(2 + ids.length + 1);
    expect(cp.received.slice(2).map((f) => f[1])).toEqual([...ids, 'burst-end']);
    expect(cp.received.slice(2, -1).every((f) => f[0] === 3)).toBe(true);
    cp.ws.close();
  });
});

describe('OCPP subprotocol negotiation', () => {
  it('picks the first offered version it speaks', async () => {
    const cp = await RawStation.connect(['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6']);
    expect(cp.ws.protocol).toBe('ocpp2.0.1');
    cp.ws.close();
  });

  it('completes the handshake without Sec-WebSocket-Protocol when none is agreed, then closes', async () => {
    // Offering nothing: the socket opens and is closed by the server.
    const quiet = await RawStation.connect([]);
    expect(quiet.ws.protocol).toBe('');
    await new Promise((r) => quiet.ws.once('close', r));
    expect(quiet.closeCode).toBe(1002);

    // Offering only versions it does not speak: 101 without the header (a raw request,
    // since WebSocket clients abort such a handshake themselves).
    const { tenantId, deviceId, token } = await registered();
    const url = new URL(`${ocppUrl}/${tenantId}/${deviceId}`.replace('ws:', 'http:'));
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
          'sec-websocket-protocol': 'ocpp1.5, ocpp2.1',
          authorization: basic(deviceId, token),
        },
      });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve(res);
      });
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    expect(response.statusCode).toBe(101);
    expect(response.headers['sec-websocket-protocol']).toBeUndefined();
  });

  it('refuses identities that cannot be station identities with 404', async () => {
    const { tenantId, deviceId, token } = await registered();
    for (const path of [
      `${tenantId}/${'a'.repeat(49)}`,
      `${tenantId}/a%3Ab`,
      `${tenantId}/x/${deviceId}`,
      `${tenantId}/%E0%A4%A`,
    ]) {
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${ocppUrl}/${path}`, ['ocpp1.6'], {
          headers: { authorization: basic(deviceId, token) },
        });
        ws.once('unexpected-response', (_, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => reject(new Error(`${path} was accepted`)));
        ws.once('error', () => {});
      });
      expect(status).toBe(404);
    }
    // The same identity, percent-encoded, is found.
    const encoded = [...deviceId].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
    const ws = new WebSocket(`${ocppUrl}/${tenantId}/${encoded}`, ['ocpp1.6'], {
      headers: { authorization: basic(deviceId, token) },
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.close();
  });
});

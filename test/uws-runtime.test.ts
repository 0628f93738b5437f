import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../db/client';
import { hashSecret } from '../db/credentials';
import { deviceCredentials } from '../db/schema';
import { pool } from '../bench/simulator/pool';
import { startGatewayProcess } from './support/gateway-process';
import { uniqueTenant } from './support/stack';

const STATIONS = 1_000;
const CORK_WARNING = 'must be made from within a corked callback';

const database = createDatabase(inject('databaseUrl'), { max: 2 });
afterAll(() => database.close());

/** Opens an OCPP 1.6 WebSocket with Basic auth; resolves with how it went once settled. */
function connect(url: string, identity: string, password: string) {
  return new Promise<{ ws: WebSocket; opened: boolean; closedEarly: number | null }>((resolve) => {
    const ws = new WebSocket(`${url}/${identity}`, 'ocpp1.6', {
      headers: {
        authorization: `Basic ${Buffer.from(`${identity}:${password}`).toString('base64')}`,
      },
    });
    const result = { ws, opened: false, closedEarly: null as number | null };
    ws.on('open', () => {
      result.opened = true;
      // Settled once the connection has stayed up a moment: the cork bug closed within it.
      setTimeout(() => resolve(result), 200);
    });
    ws.on('close', (code) => {
      result.closedEarly = code;
      resolve(result);
    });
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      result.closedEarly = res.statusCode ?? -1;
      resolve(result);
    });
  });
}

describe('the gateway on its uWS build', () => {
  it(`accepts ${STATIONS} OCPP stations without a uWS line per connection on stderr`, async () => {
    const tenantId = uniqueTenant('uws');
    const password = `dpl_${randomBytes(18).toString('base64url')}`;
    const secretHash = await hashSecret(password);
    const ids = Array.from({ length: STATIONS }, (_, i) => `cp-${i}`);
    await database.db
      .insert(deviceCredentials)
      .values(ids.map((deviceId) => ({ tenantId, deviceId, secretHash })));
    let stderr = '';
    const gateway = await startGatewayProcess(
      { temporalAddress: inject('temporalAddress'), databaseUrl: inject('databaseUrl') },
      `uws-${tenantId}`,
      { stderr: (chunk) => (stderr += chunk) },
    );
    const sockets: WebSocket[] = [];
    try {
      const url = `ws://127.0.0.1:${gateway.port}/ocpp/${tenantId}`;
      const results: Array<Awaited<ReturnType<typeof connect>>> = [];
      await pool(ids, 50, async (id) => {
        const r = await connect(url, id, password);
        sockets.push(r.ws);
        results.push(r);
      });
      expect(results.filter((r) => r.opened).length).toBe(STATIONS);
      expect(results.filter((r) => r.closedEarly !== null)).toEqual([]);
      const warnings = stderr.split('\n').filter((line) => line.includes(CORK_WARNING));
      // At most the first station's, when no other socket was open to cork (gateway/uws-async-upgrade.ts).
      expect(warnings.length).toBeLessThanOrEqual(1);
    } finally {
      for (const ws of sockets) ws.terminate();
      await gateway.crash();
    }
  }, 240_000);
});

import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { WebSocketServer } from 'ws';
import { createEgress, type Egress } from '../../outbound/egress';
import { ocppBackendSchema } from '../../twins/routing/backend';
import { UpstreamLink } from './upstream-link';

describe('an upstream OCPP backend link', () => {
  it('never opens to a refused address, by IP or by name, and opens once the network is allowed', async () => {
    const csms = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => csms.once('listening', resolve));
    const reached: string[] = [];
    csms.on('connection', (_socket, request) => reached.push(request.url ?? ''));
    const port = (csms.address() as AddressInfo).port;
    const link = (egress: Egress, host: string, identity: string) =>
      new UpstreamLink({
        backend: ocppBackendSchema.parse({ id: 'csms', kind: 'ocpp', url: `ws://${host}:${port}` }),
        egress,
        identity,
        version: 'ocpp1.6',
        logger: pino({ level: 'silent' }),
        callTimeoutMs: 1_000,
        onCall: async () => ({ ok: true, payload: {} }),
        lastBoot: () => null,
        counted: () => undefined,
        buffered: () => undefined,
      });
    try {
      const strict = createEgress();
      const refused = [link(strict, '127.0.0.1', 'by-ip'), link(strict, 'localhost', 'by-name')];
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // a few retries' worth
      expect(reached).toEqual([]);
      for (const l of refused) l.close();

      const allowed = link(createEgress(['127.0.0.0/8', '::1/128']), 'localhost', 'allowed');
      const deadline = Date.now() + 5_000;
      while (reached.length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      allowed.close();
      expect(reached).toEqual(['/allowed']);
    } finally {
      csms.close();
    }
  });
});

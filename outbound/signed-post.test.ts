import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgress } from './egress';
import { postSigned } from './signed-post';

/** A real receiver on loopback: what it got, headers and raw body. */
let receiver: Server;
let received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
let url = '';
const egress = createEgress(['127.0.0.0/8']);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(() => receiver.close());

describe('a signed POST', () => {
  it('signs a partner webhook so that a Standard Webhooks library verifies it', async () => {
    received = [];
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const body = JSON.stringify({ id: 'acme:1042', type: 'doppel.twin.changed' });
    const res = await postSigned(egress, {
      url,
      body,
      signing: { scheme: 'standard-webhooks', secret, id: 'acme:1042' },
      contentType: 'application/cloudevents+json; charset=utf-8',
      timeoutMs: 5_000,
      headers: { 'user-agent': 'Doppel-Webhooks/1' },
    });
    expect(res.status).toBe(200);
    const [got] = received;
    expect(got!.body).toBe(body);
    expect(got!.headers['webhook-id']).toBe('acme:1042');
    expect(got!.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(got!.headers['user-agent']).toBe('Doppel-Webhooks/1');
    const headers = Object.fromEntries(
      Object.entries(got!.headers).map(([k, v]) => [k, String(v)]),
    );
    expect(new Webhook(secret).verify(got!.body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(`${got!.body} `, headers)).toThrow();
  });

  it('signs a backend webhook or an admission hook as docs/backends.md tells receivers to check', async () => {
    received = [];
    const secret = 'a-backend-secret-of-any-text';
    const body = '{"type":"doppel.device.report"}';
    await postSigned(egress, {
      url,
      body,
      signing: { scheme: 'doppel-hmac', secret },
      contentType: 'application/json',
      timeoutMs: 5_000,
    });
    const [got] = received;
    const timestamp = String(got!.headers['x-doppel-timestamp']);
    // The receiver's check, word for word from docs/backends.md ("Signature").
    const expected =
      'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${got!.body}`).digest('hex');
    expect(got!.headers['x-doppel-signature']).toBe(expected);
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['webhook-signature']).toBeUndefined();
  });

  it('never reaches a refused address', async () => {
    received = [];
    const strict = createEgress();
    await expect(
      postSigned(strict, {
        url,
        body: '{}',
        signing: { scheme: 'doppel-hmac', secret: 'x' },
        contentType: 'application/json',
        timeoutMs: 5_000,
      }),
    ).rejects.toMatchObject({ code: 'egress:forbidden' });
    expect(received).toEqual([]);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgress, guardedLookup, parseNetworks } from './egress';

/** Real HTTP servers on loopback; every request they get is counted. */
let target: Server;
let redirector: Server;
let hits = { target: 0, redirector: 0 };
const portOf = (s: Server) => (s.address() as AddressInfo).port;
const listen = (s: Server) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));

beforeAll(async () => {
  target = createServer((_req, res) => {
    hits.target++;
    res.end('ok');
  });
  redirector = createServer((_req, res) => {
    hits.redirector++;
    res.writeHead(302, { location: `http://127.0.0.1:${portOf(target)}/` }).end();
  });
  await Promise.all([listen(target), listen(redirector)]);
});
afterAll(() => {
  target.close();
  redirector.close();
});

/** The code of the egress refusal behind a failed fetch, or 'answered <status>'. */
const outcome = (promise: Promise<{ status: number }>) =>
  promise.then(
    (r) => `answered ${r.status}`,
    (err: { code?: string; cause?: { code?: string } }) =>
      err.code ?? err.cause?.code ?? String(err),
  );

describe('egress rules', () => {
  it('refuse private, loopback, link-local and special-purpose addresses, and allow public ones', () => {
    const egress = createEgress();
    for (const address of [
      '127.0.0.1',
      '10.20.30.40',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::ffff:127.0.0.1',
      '::127.0.0.1', // IPv4-compatible
      '::a9fe:a9fe', // IPv4-compatible 169.254.169.254
      '64:ff9b:1::a00:1', // local-use NAT64 of 10.0.0.1
      '2002:a9fe:a9fe::1', // 6to4 of 169.254.169.254
      'fd00::1',
      'fe80::1',
    ])
      expect(egress.permits(address), address).toBe(false);
    for (const address of ['8.8.8.8', '93.184.215.14', '2606:4700:4700::1111'])
      expect(egress.permits(address), address).toBe(true);
  });

  it('let through exactly the networks an operator allows', () => {
    const egress = createEgress(parseNetworks('10.1.0.0/16, ::1/128'));
    expect(egress.permits('10.1.2.3')).toBe(true);
    expect(egress.permits('::1')).toBe(true);
    expect(egress.permits('10.2.0.1')).toBe(false);
    expect(egress.permits('169.254.169.254')).toBe(false);
  });

  it('name the bad network in EGRESS_ALLOWED_NETWORKS', () => {
    expect(parseNetworks('')).toEqual([]);
    for (const bad of ['10.0.0.0', '10.0.0.0/33', 'example.com/8', '::1/129', '10.0.0.0/8/1'])
      expect(() => parseNetworks(`127.0.0.0/8,${bad}`), bad).toThrow(`"${bad}" is not a network`);
  });

  it('refuse a URL that names a refused address or localhost, before any connection', () => {
    const egress = createEgress();
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]:8080/',
      'https://localhost/hook',
      'http://api.localhost/',
    ])
      expect(() => egress.checkUrl(url), url).toThrow(/private or special-purpose address/);
    expect(() => egress.checkUrl('https://partner.example.com/hook')).not.toThrow();
  });
});

describe('egress fetch', () => {
  it('never connects to a refused address', async () => {
    hits = { target: 0, redirector: 0 };
    const egress = createEgress();
    expect(await outcome(egress.fetch(`http://127.0.0.1:${portOf(target)}/`))).toBe(
      'egress:forbidden',
    );
    expect(await outcome(egress.fetch(`http://localhost:${portOf(target)}/`))).toBe(
      'egress:forbidden',
    );
    expect(hits.target).toBe(0);
  });

  it('refuses a name whose DNS answer is a refused address, where the socket connects', async () => {
    const resolve = (permits: (a: string) => boolean, all: boolean) =>
      new Promise((done) =>
        guardedLookup(permits)('localhost', { all }, (err, address) =>
          done(err ? (err as { code?: string }).code : address),
        ),
      );
    const strict = createEgress();
    expect(await resolve(strict.permits, false)).toBe('egress:forbidden');
    expect(await resolve(strict.permits, true)).toBe('egress:forbidden');
    const loopback = createEgress(['127.0.0.0/8', '::1/128']);
    expect(await resolve(loopback.permits, false)).toMatch(/^(127\.|::1$)/);
    expect(await resolve(loopback.permits, true)).toEqual(
      expect.arrayContaining([expect.objectContaining({ address: expect.any(String) })]),
    );
  });

  it('connects to an allowed network, by IP or by name, and answers a redirect instead of following it', async () => {
    hits = { target: 0, redirector: 0 };
    const egress = createEgress(['127.0.0.0/8', '::1/128']);
    expect(await outcome(egress.fetch(`http://127.0.0.1:${portOf(target)}/`))).toBe('answered 200');
    expect(await outcome(egress.fetch(`http://localhost:${portOf(target)}/`))).toBe('answered 200');
    expect(await outcome(egress.fetch(`http://127.0.0.1:${portOf(redirector)}/`))).toBe(
      'answered 302',
    );
    expect(hits).toEqual({ target: 2, redirector: 1 });
  });
});

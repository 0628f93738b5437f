import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { RPCClient } from 'ocpp-rpc';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './support/graphql';
import { registerDevice, startTestStack, uniqueTenant, type TestStack } from './support/stack';
import { startTlsProxy } from './support/tls-proxy';

let stack: TestStack;
let proxy: Awaited<ReturnType<typeof startTlsProxy>>;
beforeAll(async () => {
  // nginx reaches the gateway from 127.0.0.1: its client-certificate headers are believed.
  stack = await startTestStack({ trustedProxies: ['127.0.0.1'] });
  proxy = await startTlsProxy(Number(new URL(stack.gatewayUrl).port));
});
afterAll(async () => {
  await proxy?.stop();
  await stack?.stop();
});

describe('TLS in front of the gateway (deploy/nginx, nginx from Debian)', () => {
  it('carries a device over wss:// to the gateway', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'secure');
    const ws = new WebSocket(`${proxy.url}/device`, { ca: readFileSync(proxy.pki.ca) });
    const welcome = await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.on('open', () =>
        ws.send(
          JSON.stringify({
            type: 'hello',
            seq: 1,
            tenant: tenantId,
            device: 'secure',
            token: token,
          }),
        ),
      );
      ws.on('message', (m) => resolve(JSON.parse(String(m))));
      ws.on('error', reject);
    });
    expect(welcome).toMatchObject({ type: 'welcome', seq: 1 });
    ws.close();
  });

  it.each(['TLSv1', 'TLSv1.1'] as const)('refuses %s (TLS 1.2 at least)', async (version) => {
    const { port } = new URL(proxy.url);
    const outcome = await new Promise<string>((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: Number(port),
        minVersion: version,
        maxVersion: version,
        ca: readFileSync(proxy.pki.ca),
      });
      socket.on('secureConnect', () => (socket.destroy(), resolve('connected')));
      socket.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? e.message));
    });
    expect(outcome).not.toBe('connected');
  });

  it('accepts TLS 1.2', async () => {
    const { port } = new URL(proxy.url);
    const protocol = await new Promise<string | null>((resolve, reject) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: Number(port),
        maxVersion: 'TLSv1.2',
        ca: readFileSync(proxy.pki.ca),
      });
      socket.on('secureConnect', () => (resolve(socket.getProtocol()), socket.destroy()));
      socket.on('error', reject);
    });
    expect(protocol).toBe('TLSv1.2');
  });

  describe('OCPP security profile 3: client certificates', () => {
    async function station(
      identity: string,
      cert: { cert: string; key: string },
      tenantId?: string,
    ) {
      const client = new RPCClient({
        endpoint: tenantId ? `${proxy.url}/ocpp/${tenantId}` : `${proxy.url}/ocpp`,
        identity,
        protocols: ['ocpp1.6'],
        reconnect: false,
        wsOpts: {
          ca: readFileSync(proxy.pki.ca),
          cert: readFileSync(cert.cert),
          key: readFileSync(cert.key),
        },
      } as unknown as ConstructorParameters<typeof RPCClient>[0]);
      await client.connect();
      return client as unknown as {
        call(method: string, params: unknown): Promise<any>;
        close(): Promise<unknown>;
      };
    }
    const boot = { chargePointVendor: 'Acme', chargePointModel: 'AC22' };

    const REGISTER = `mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }`;
    /** Registers a profile-3 station (login by certificate); `secret` for a profile-2 one. */
    const register = async (
      tenantId: string,
      deviceId: string,
      login: 'CERTIFICATE' | 'SECRET' = 'CERTIFICATE',
    ) => {
      const res = await graphql(stack.apiUrl, REGISTER, { i: { tenantId, deviceId, login } });
      expect(res.errors).toBeUndefined();
      return res.data.registerDevice.token as string | null;
    };

    it('admits a station whose certificate, issued by the operator CA, names it (CN) and its tenant (O)', async () => {
      const tenantId = uniqueTenant();
      await register(tenantId, 'CP-SP3');
      const cert = await proxy.pki.station('CP-SP3', {
        subject: `/CN=CP-SP3/O=${tenantId}`,
        name: `ok-${tenantId}`,
      });
      const cp = await station('CP-SP3', cert);
      expect(await cp.call('BootNotification', boot)).toMatchObject({ status: 'Accepted' });
      await cp.close();
    });

    it.each([
      // the gateway refuses: the CN is not the station's identity
      {
        name: 'a certificate naming another station',
        subject: (t: string) => `/CN=CP-OTHER/O=${t}`,
        rogue: false,
        refusal: /Unauthorized/,
      },
      // the gateway refuses: a certificate without its tenant, or with another tenant's
      {
        name: 'a certificate without the tenant',
        subject: () => '/CN=CP-SP3B/O=Acme Charging',
        rogue: false,
        refusal: /Unauthorized/,
      },
      // the gateway refuses: a CN hidden inside another attribute (RFC 4514 escaping)
      {
        name: 'a CN smuggled into another attribute',
        subject: (t: string) => `/CN=CP-DECOY/O=${t}\\,CN=CP-SP3B`,
        rogue: false,
        refusal: /Unauthorized/,
      },
      {
        name: 'two CNs',
        subject: (t: string) => `/CN=CP-SP3B/CN=CP-DECOY/O=${t}`,
        rogue: false,
        refusal: /Unauthorized/,
      },
      // nginx refuses (400) a certificate that fails verification, before the gateway sees it
      {
        name: 'a certificate not issued by the operator CA',
        subject: (t: string) => `/CN=CP-SP3B/O=${t}`,
        rogue: true,
        refusal: /Bad Request/,
      },
    ])('refuses $name before the upgrade', async ({ name, subject, rogue, refusal }) => {
      const tenantId = uniqueTenant();
      await register(tenantId, 'CP-SP3B');
      const cert = await proxy.pki.station('CP-SP3B', {
        subject: subject(tenantId),
        rogue,
        name: `${name.replace(/\W+/g, '-')}-${tenantId}`,
      });
      // The tenant's path: CP-SP3B is registered in every case's tenant, so the bare path is ambiguous.
      await expect(station('CP-SP3B', cert, tenantId)).rejects.toThrow(refusal);
    });

    it("refuses tenant A's certificate for tenant B's station of the same identity, on either path", async () => {
      const [a, b] = [uniqueTenant(), uniqueTenant()];
      await register(a, 'CP-TWIN');
      await register(b, 'CP-TWIN');
      const certA = await proxy.pki.station('CP-TWIN', {
        subject: `/CN=CP-TWIN/O=${a}`,
        name: `twin-${a}`,
      });
      // B's station by its tenant path: A's certificate does not open it
      await expect(station('CP-TWIN', certA, b)).rejects.toThrow(/Unauthorized/);
      // A's own station still opens with it
      const own = await station('CP-TWIN', certA, a);
      expect(await own.call('BootNotification', boot)).toMatchObject({ status: 'Accepted' });
      await own.close();
    });

    /** A profile-2 station over wss:// with Basic auth and no certificate. */
    const passwordStation = async (identity: string, password: string, tenantId: string) => {
      const client = new RPCClient({
        endpoint: `${proxy.url}/ocpp/${tenantId}`,
        identity,
        password,
        protocols: ['ocpp1.6'],
        reconnect: false,
        wsOpts: { ca: readFileSync(proxy.pki.ca) },
      } as unknown as ConstructorParameters<typeof RPCClient>[0]);
      await client.connect();
      return client as unknown as { close(): Promise<unknown> };
    };

    it('holds each station to the one security profile it was registered for (OCPP A00.FR.001/.002)', async () => {
      const tenantId = uniqueTenant();
      // A profile-3 station: no secret is shown, and none opens it over Basic auth.
      expect(await register(tenantId, 'CP-P3')).toBeNull();
      await expect(
        passwordStation('CP-P3', 'dpl_anything-at-all-000000', tenantId),
      ).rejects.toThrow(/Unauthorized/);
      // A profile-2 station: its valid certificate does not open it; its password does.
      const password = await register(tenantId, 'CP-P2', 'SECRET');
      expect(password).toMatch(/^dpl_/);
      const cert = await proxy.pki.station('CP-P2', {
        subject: `/CN=CP-P2/O=${tenantId}`,
        name: `p2-${tenantId}`,
      });
      await expect(station('CP-P2', cert, tenantId)).rejects.toThrow(/Unauthorized/);
      await (await passwordStation('CP-P2', password!, tenantId)).close();
    });

    it("refuses a revoked certificate once nginx has the CA's new CRL", async () => {
      const tenantId = uniqueTenant();
      await register(tenantId, 'CP-REVOKED');
      const cert = await proxy.pki.station('CP-REVOKED', {
        subject: `/CN=CP-REVOKED/O=${tenantId}`,
        name: `revoked-${tenantId}`,
      });
      const before = await station('CP-REVOKED', cert);
      await before.close();
      await proxy.pki.revoke(cert.cert);
      await proxy.reload();
      await expect(station('CP-REVOKED', cert)).rejects.toThrow(/Bad Request/);
    });
  });
});

import { createSecretKey } from 'node:crypto';
import { once } from 'node:events';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../db/client';
import { apiConfig, ConfigError, parseConfig } from '../deploy/config';
import { authenticator } from '../graphql/auth/authenticate';
import { signToken } from '../graphql/auth/dev-token';
import type { RunningApi } from '../graphql/start-api';
import { startTestApi } from './support/api-in-process';
import { bearer, TEST_JWT_SECRET } from './support/auth';
import { graphql, sseSubscription } from './support/graphql';
import { uniqueTenant } from './support/stack';

// Long-lived API connections (graphql-ws sockets, SSE streams) against credentials that end
// while they are open: a revoked API key, an expiring JWT. Real APIs on the suite's Temporal
// and PostgreSQL; each checks quickly, so a test need not wait the production periods.

const database = createDatabase(inject('databaseUrl'));
const start = (recheck: { cacheMs: number; sweepMs: number }) =>
  startTestApi(database, { recheck });

let swept: RunningApi;
/** No sweep within a test's time, no cache: only the per-operation check can refuse. */
let unswept: RunningApi;
const urlOf = (api: RunningApi) => `http://127.0.0.1:${api.port}/graphql`;
beforeAll(async () => {
  swept = await start({ cacheMs: 200, sweepMs: 300 });
  unswept = await start({ cacheMs: 0, sweepMs: 600_000 });
});
afterAll(async () => {
  await swept?.stop();
  await unswept?.stop();
  await database.close();
});

const clients: WsClient[] = [];
afterAll(() => Promise.all(clients.map((c) => c.dispose())));

/** A graphql-ws connection with these credentials, and the code it is closed with. */
async function connect(api: RunningApi, authorization: string) {
  let closed!: (code: number) => void;
  const closedWith = new Promise<number>((resolve) => (closed = resolve));
  const client = createClient({
    url: urlOf(api).replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization },
    lazy: false,
    onNonLazyError: () => {}, // the close is what the tests look at
    retryAttempts: 0,
    on: { closed: (event: any) => closed(event?.code) },
  });
  clients.push(client);
  await new Promise<void>((resolve) => client.on('connected', () => resolve()));
  const query = (text: string) =>
    new Promise<{ data?: any; errors?: any[] }>((resolve) => {
      let result: { data?: any; errors?: any[] } = {};
      client.subscribe(
        { query: text },
        {
          next: (value) => void (result = value as typeof result),
          error: (error: any) =>
            resolve(Array.isArray(error) ? { errors: error } : { errors: [error] }),
          complete: () => resolve(result),
        },
      );
    });
  const subscribe = (text: string, variables: Record<string, unknown>) =>
    client.subscribe(
      { query: text, variables },
      { next: () => {}, error: () => {}, complete: () => {} },
    );
  return { closedWith, query, subscribe };
}

/** What settles first: the promise, or 'still open' after `ms`. */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'still open'>((r) => setTimeout(() => r('still open'), ms))]);

async function apiKeyOf(api: RunningApi, tenantId: string) {
  const admin = await bearer('tenant-admin', tenantId);
  const created = await graphql(
    urlOf(api),
    'mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { keyId } } }',
    { i: { tenantId, name: 'partner', role: 'PARTNER' } },
    admin,
  );
  expect(created.errors).toBeUndefined();
  const { key, apiKey } = created.data.createApiKey;
  const revoke = async () => {
    const revoked = await graphql(
      urlOf(api),
      'mutation ($t: ID!, $k: ID!) { revokeApiKey(tenantId: $t, keyId: $k) { revokedAt } }',
      { t: tenantId, k: apiKey.keyId },
      admin,
    );
    expect(revoked.errors).toBeUndefined();
  };
  return { authorization: `Bearer ${key as string}`, revoke };
}

const CHANGES = 'subscription ($t: ID!) { deviceChanged(tenantId: $t) { kind } }';

describe('a revoked API key', () => {
  it('closes its graphql-ws connections (4403) and ends its SSE streams', async () => {
    const tenantId = uniqueTenant('revoke');
    const { authorization, revoke } = await apiKeyOf(swept, tenantId);
    const socket = await connect(swept, authorization);
    socket.subscribe(CHANGES, { t: tenantId });
    const stream = await sseSubscription(urlOf(swept), CHANGES, { t: tenantId }, (e) => e, {
      authorization,
    });
    expect(await within(socket.closedWith, 500)).toBe('still open');

    await revoke();
    expect(await within(socket.closedWith, 5_000)).toBe(4403);
    expect(await within(stream.ended, 5_000)).toBeUndefined();
    expect(stream.events.at(-1)?.errors?.[0]).toMatchObject({
      message: 'the API key has been revoked',
      extensions: { code: 'api:unauthenticated' },
    });
  });

  it('is refused for the next query on a connection it opened, before any sweep', async () => {
    const tenantId = uniqueTenant('revoke-op');
    const { authorization, revoke } = await apiKeyOf(unswept, tenantId);
    const socket = await connect(unswept, authorization);
    expect((await socket.query('{ me { role tenantId } }')).data?.me).toEqual({
      role: 'PARTNER',
      tenantId,
    });

    await revoke();
    const after = await socket.query('{ me { role tenantId } }');
    expect(after.data).toBeUndefined();
    expect(await within(socket.closedWith, 2_000)).toBe(4403);
  });
});

describe('an expiring JWT', () => {
  it('closes its graphql-ws connection (4401) and ends its SSE stream at exp', async () => {
    const tenantId = uniqueTenant('expiry');
    const token = await signToken(
      TEST_JWT_SECRET,
      { sub: 'brief', role: 'viewer', tenant: tenantId },
      { expiresIn: '3s' },
    );
    const authorization = `Bearer ${token}`;
    const socket = await connect(unswept, authorization);
    socket.subscribe(CHANGES, { t: tenantId });
    const stream = await sseSubscription(urlOf(unswept), CHANGES, { t: tenantId }, (e) => e, {
      authorization,
    });
    expect(await within(socket.closedWith, 1_000)).toBe('still open');

    expect(await within(socket.closedWith, 5_000)).toBe(4401);
    expect(await within(stream.ended, 2_000)).toBeUndefined();
    expect(stream.events.at(-1)?.errors?.[0]).toMatchObject({
      message: 'the token has expired',
      extensions: { code: 'api:unauthenticated' },
    });
  });

  it("keeps a connection with npm start's 30-day admin token open and answering", async () => {
    // Past setTimeout's longest delay (about 24.8 days), which Node would fire at once.
    const token = await signToken(
      TEST_JWT_SECRET,
      { sub: 'admin', role: 'platform-admin' },
      { expiresIn: '30d' },
    );
    const socket = await connect(swept, `Bearer ${token}`);
    await new Promise((r) => setTimeout(r, 500));
    expect((await socket.query('{ me { actor } }')).data?.me).toEqual({ actor: 'user:admin' });
    expect(await within(socket.closedWith, 500)).toBe('still open');
  });

  it('is refused without exp', async () => {
    const forever = await new SignJWT({ role: 'viewer', tenant: 'acme' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('forever')
      .sign(createSecretKey(Buffer.from(TEST_JWT_SECRET)));
    const res = await graphql(
      urlOf(swept),
      '{ me { actor } }',
      {},
      {
        authorization: `Bearer ${forever}`,
      },
    );
    expect(res.errors?.[0]).toMatchObject({
      message: 'the token has no exp claim',
      extensions: { code: 'api:unauthenticated' },
    });
  });
});

describe('JWTs from a shared identity provider', () => {
  const base = {
    TEMPORAL_ADDRESS: '127.0.0.1:7233',
    DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/d',
  };

  it('need an audience: the API refuses to start without one', () => {
    for (const key of [
      { API_JWT_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json' },
      { API_JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\n…' },
    ]) {
      expect(() => parseConfig(apiConfig, 'api', { ...base, ...key })).toThrow(ConfigError);
      expect(() => parseConfig(apiConfig, 'api', { ...base, ...key })).toThrow(
        /API_JWT_AUDIENCE.*required with API_JWT_PUBLIC_KEY or API_JWT_JWKS_URL/s,
      );
      expect(
        parseConfig(apiConfig, 'api', { ...base, ...key, API_JWT_AUDIENCE: 'doppel' })
          .API_JWT_AUDIENCE,
      ).toBe('doppel');
    }
    // The API's own secret signs for this API only: the audience stays optional.
    expect(() =>
      parseConfig(apiConfig, 'api', { ...base, API_JWT_SECRET: TEST_JWT_SECRET }),
    ).not.toThrow();
    expect(() =>
      authenticator({ jwksUrl: 'https://idp.example.com/.well-known/jwks.json' }, database),
    ).toThrow(/audience/);
  });
});

describe('the graphql-ws server', () => {
  it('refuses a message larger than the request body limit before anyone authenticates', async () => {
    const socket = new WebSocket(urlOf(swept).replace('http', 'ws'), 'graphql-transport-ws');
    await once(socket, 'open');
    const closed = once(socket, 'close');
    socket.send(
      JSON.stringify({
        type: 'connection_init',
        payload: { authorization: 'Bearer nobody', pad: 'x'.repeat(9 * 1024 * 1024) },
      }),
    );
    const [code] = (await closed) as [number];
    expect(code).toBe(1009); // "message too big"
  });
});

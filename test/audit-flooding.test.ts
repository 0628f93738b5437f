import { createHash } from 'node:crypto';
import { createEgress } from '../outbound/egress';
import { Client } from '@temporalio/client';
import canonicalize from 'canonicalize';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../db/client';
import { apiConfig, ConfigError, parseConfig } from '../deploy/config';
import { createApiApp } from '../graphql/app';
import { startTestApi } from './support/api-in-process';
import { bearer, TEST_AUTH } from './support/auth';
import { testCredentials } from './support/graphql';
import { uniqueTenant } from './support/stack';

// The lowest role flooding the append-only audit trail: refused mutations with huge
// arguments, and as many of them as it can send. The app in-process (yoga.fetch) on the
// suite's real PostgreSQL; a real API for graphql-ws.

const database = createDatabase(inject('databaseUrl'));
const appWith = (rateLimit: { perSecond: number; burst: number }) =>
  createApiApp({
    database,
    temporal: new Client(),
    twinSettings: { offlineGraceMs: 0 },
    egress: createEgress(),
    auth: TEST_AUTH,
    rateLimit,
  }).yoga;
afterAll(() => database.close());

const post = (
  yoga: ReturnType<typeof appWith>,
  query: string,
  variables: Record<string, unknown>,
  as: Record<string, string>,
) =>
  yoga.fetch('http://api/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...as },
    body: JSON.stringify({ query, variables }),
  });

/** Keys of every object in a JSON value, nested ones included. */
const keysIn = (value: unknown): number =>
  value && typeof value === 'object'
    ? Object.entries(value).reduce((n, [, v]) => n + (Array.isArray(value) ? 0 : 1) + keysIn(v), 0)
    : 0;

const UPDATE_DESIRED =
  'mutation ($i: UpdateDesiredInput!) { updateDesired(input: $i) { version } }';

describe('audited arguments', () => {
  it("keep at most 8 KiB and 64 keys of a refused mutation's arguments, with the digest and size of all of them", async () => {
    const yoga = appWith({ perSecond: 100, burst: 100 });
    const tenantId = uniqueTenant('flood');
    // About 1.3 MB of arguments, sent by a role that may not call the mutation at all.
    const patch = Object.fromEntries(
      Array.from({ length: 3_000 }, (_, i) => [`k${i}`, `${i}`.padEnd(400, 'x')]),
    );
    const refused = await post(
      yoga,
      UPDATE_DESIRED,
      { i: { tenantId, deviceId: 'd1', patch } },
      await bearer('viewer', tenantId),
    );
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe('api:forbidden');

    const read = await post(
      yoga,
      'query ($t: ID!) { auditEntries(tenantId: $t) { nodes { operation outcome input } } }',
      { t: tenantId },
      testCredentials(),
    );
    const [entry] = ((await read.json()) as any).data.auditEntries.nodes;
    expect(entry).toMatchObject({ operation: 'updateDesired', outcome: 'api:forbidden' });
    expect(Buffer.byteLength(JSON.stringify(entry.input))).toBeLessThanOrEqual(8 * 1024);
    const canonical = canonicalize({ input: { tenantId, deviceId: 'd1', patch } })!;
    expect(entry.input.$truncated).toEqual({
      bytes: Buffer.byteLength(canonical),
      keys: 3_004,
      sha256: createHash('sha256').update(canonical).digest('hex'),
    });
    // What fits is kept as a preview: the tenant and device, the first keys of the patch.
    expect(entry.input.$preview.input).toMatchObject({ tenantId, deviceId: 'd1' });
    expect(entry.input.$preview.input.patch.k0).toBe(patch.k0);
    expect(keysIn(entry.input)).toBeLessThanOrEqual(64);

    // Many small keys are bounded too, though they are far from 8 KiB.
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`t${i}`, i]));
    await post(
      yoga,
      UPDATE_DESIRED,
      { i: { tenantId, deviceId: 'd2', patch: many } },
      await bearer('viewer', tenantId),
    );
    const again = await post(
      yoga,
      'query ($t: ID!) { auditEntries(tenantId: $t, first: 1) { nodes { input } } }',
      { t: tenantId },
      testCredentials(),
    );
    const [latest] = ((await again.json()) as any).data.auditEntries.nodes;
    expect(keysIn(latest.input)).toBeLessThanOrEqual(64);
    expect(latest.input.$truncated.keys).toBe(204);
  });
});

describe('the rate limit per caller', () => {
  it('answers HTTP 429 with Retry-After once a caller spent its burst, refused requests included', async () => {
    const yoga = appWith({ perSecond: 0.5, burst: 3 });
    const tenantId = uniqueTenant('rate');
    const viewer = await bearer('viewer', tenantId, 'flooder');
    const flood = () =>
      post(yoga, UPDATE_DESIRED, { i: { tenantId, deviceId: 'd1', patch: { a: 1 } } }, viewer);
    for (let i = 0; i < 3; i++) expect((await flood()).status).toBe(200); // refused: api:forbidden
    const limited = await flood();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(((await limited.json()) as any).errors[0].extensions.code).toBe('api:rate-limited');
    const me = await post(yoga, '{ me { actor } }', {}, viewer);
    expect(me.status).toBe(429);
    // Another caller has a bucket of its own; the limited one wrote no more audit entries.
    const other = await post(
      yoga,
      '{ me { actor } }',
      {},
      await bearer('viewer', tenantId, 'calm'),
    );
    expect(((await other.json()) as any).data.me.actor).toBe('user:calm');
    const read = await post(
      yoga,
      'query ($t: ID!) { auditEntries(tenantId: $t) { nodes { actor } } }',
      { t: tenantId },
      testCredentials(),
    );
    expect(((await read.json()) as any).data.auditEntries.nodes).toHaveLength(3);
  });

  it('refuses a graphql-ws operation over the limit, and keeps the connection', async () => {
    const api = await startTestApi(database, { rateLimit: { perSecond: 0.5, burst: 2 } });
    const client = createClient({
      url: `ws://127.0.0.1:${api.port}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: await bearer('partner', uniqueTenant('rate-ws')),
      retryAttempts: 0,
    });
    try {
      const ask = () =>
        new Promise<{ data?: any; errors?: any[] }>((resolve) => {
          let result = {};
          client.subscribe(
            { query: '{ me { role } }' },
            {
              next: (value) => void (result = value),
              error: (error: any) => resolve({ errors: Array.isArray(error) ? error : [error] }),
              complete: () => resolve(result),
            },
          );
        });
      expect((await ask()).data?.me).toEqual({ role: 'PARTNER' });
      expect((await ask()).data?.me).toEqual({ role: 'PARTNER' });
      const limited = await ask();
      expect(limited.errors?.[0]).toMatchObject({ extensions: { code: 'api:rate-limited' } });
      await new Promise((r) => setTimeout(r, 2_100));
      expect((await ask()).data?.me).toEqual({ role: 'PARTNER' });
    } finally {
      await client.dispose();
      await api.stop();
    }
  });

  it("lets the installation's platform-admin through (bulk registration, the simulator)", async () => {
    const yoga = appWith({ perSecond: 0.5, burst: 2 });
    for (let i = 0; i < 5; i++)
      expect((await post(yoga, '{ me { actor } }', {}, testCredentials())).status).toBe(200);
  });

  it('is configured with API_RATE_LIMIT_PER_S and API_RATE_LIMIT_BURST', () => {
    const base = {
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/d',
      API_JWT_SECRET: TEST_AUTH.secret,
    };
    expect(parseConfig(apiConfig, 'api', base)).toMatchObject({
      API_RATE_LIMIT_PER_S: 20,
      API_RATE_LIMIT_BURST: 200,
    });
    expect(() => parseConfig(apiConfig, 'api', { ...base, API_RATE_LIMIT_PER_S: '0' })).toThrow(
      ConfigError,
    );
    expect(() => parseConfig(apiConfig, 'api', { ...base, API_RATE_LIMIT_BURST: 'lots' })).toThrow(
      /API_RATE_LIMIT_BURST/,
    );
  });
});

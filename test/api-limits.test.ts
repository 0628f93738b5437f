import { createEgress } from '../outbound/egress';
import { Client } from '@temporalio/client';
import { auditServer } from 'graphql-http';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../db/client';
import { createApiApp } from '../graphql/app';
import { TEST_AUTH } from './support/auth';
import { testCredentials } from './support/graphql';

// The API's own defences, checked before anything executes: the app in-process (yoga.fetch),
// on the suite's real PostgreSQL; nothing here reaches Temporal (its client connects lazily).
const database = createDatabase(inject('databaseUrl'));
const { yoga } = createApiApp({
  database,
  temporal: new Client(),
  twinSettings: { offlineGraceMs: 0 },
  egress: createEgress(),
  auth: TEST_AUTH,
  limits: { maxBodyBytes: 64 * 1024 },
});
afterAll(() => database.close());

const post = (body: string, headers: Record<string, string> = {}) =>
  yoga.fetch('http://api/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...testCredentials(), ...headers },
    body,
  });
const ask = async (query: string) => {
  const response = await post(JSON.stringify({ query, variables: { t: 'acme' } }));
  return {
    status: response.status,
    body: (await response.json()) as {
      data?: unknown;
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    },
  };
};

describe('abuse limits', () => {
  it('refuses a query nested deeper than 12 levels, with its code', async () => {
    // The graph walks both ways: site → customer → sites → … nests as deep as one likes.
    let selection = 'siteId';
    for (let i = 0; i < 7; i++) selection = `customer { sites { nodes { ${selection} } } }`;
    const { body } = await ask(
      `query ($t: ID!) { sites(tenantId: $t) { nodes { ${selection} } } }`,
    );
    expect(body.data).toBeUndefined();
    const deep = body.errors?.find((e) => e.extensions?.code === 'api:query.too-deep');
    expect(deep?.message).toMatch(/depth limit of 12 exceeded/);
  });

  it('refuses more than 15 aliases, and a query whose estimated cost passes 5,000', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: siteId`).join(' ');
    expect(
      (await ask(`query ($t: ID!) { sites(tenantId: $t) { nodes { ${aliases} } } }`)).body
        .errors?.[0]?.extensions?.code,
    ).toBe('api:query.too-many-aliases');
    // Each alias alone is fine (cost ~690); fourteen of them (~9,700) are past 5,000.
    let nested = 'siteId name';
    for (let i = 0; i < 3; i++)
      nested = `siteId name customer { customerId name sites { nodes { ${nested} } } }`;
    const wide = Array.from(
      { length: 14 },
      (_, i) => `s${i}: sites(tenantId: $t) { nodes { ${nested} } }`,
    ).join(' ');
    const costly = await ask(`query ($t: ID!) { ${wide} }`);
    expect(costly.body.errors?.map((e) => e.extensions?.code)).toContain('api:query.too-costly');
  });

  it('refuses a query of more than 5,000 tokens before validating it', async () => {
    const fields = Array.from({ length: 5_001 }, () => '__typename').join(' ');
    const { body } = await ask(`{ ${fields} }`);
    expect(body.errors?.[0]?.extensions?.code).toBe('api:query.too-many-tokens');
  });

  it('answers a query within the limits', async () => {
    const { status, body } = await ask(
      `query ($t: ID!) { sites(tenantId: $t) { nodes { customer { sites { nodes { siteId } } } } } }`,
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ sites: { nodes: [] } });
  });

  it('refuses a body over the limit by its length, and one sent without a length once it passes it', async () => {
    const big = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(70_000) } });
    const declared = await post(big, { 'content-length': String(big.length) });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as any).errors[0].extensions.code).toBe(
      'api:request.too-large',
    );
    const chunked = await post(big);
    expect(chunked.status).toBeGreaterThanOrEqual(400);
    expect(((await chunked.json()) as any).data).toBeUndefined();
  });

  it('refuses a cross-site "simple" request (a form post or a bare GET) that a browser would send without a preflight', async () => {
    const form = await yoga.fetch('http://api/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=%7B__typename%7D',
    });
    expect(form.status).toBe(403);
    const get = await yoga.fetch('http://api/graphql?query=%7B__typename%7D');
    expect(get.status).toBe(403);
    const allowed = await yoga.fetch('http://api/graphql?query=%7B__typename%7D', {
      headers: { 'x-graphql-yoga-csrf': '1', accept: 'application/json', ...testCredentials() },
    });
    expect(allowed.status).toBe(200);
  });

  it('masks an unexpected error, with a stable code and no internals', async () => {
    // A closed database makes the resolver fail in a way no one planned for.
    const broken = createDatabase(inject('databaseUrl'));
    await broken.close();
    const app = createApiApp({
      database: broken,
      temporal: new Client(),
      twinSettings: { offlineGraceMs: 0 },
      egress: createEgress(),
      auth: TEST_AUTH,
    });
    const response = await app.yoga.fetch('http://api/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...testCredentials() },
      body: JSON.stringify({ query: '{ sites(tenantId: "acme") { nodes { siteId } } }' }),
    });
    const body = (await response.json()) as any;
    expect(body.errors[0]).toMatchObject({
      message: 'Unexpected error.',
      extensions: { code: 'api:internal' },
    });
    expect(JSON.stringify(body)).not.toMatch(/postgres|CONNECTION|stack/i);
  });
});

describe('GraphQL over HTTP', () => {
  it('passes the graphql-http server audit with no MUST failure', async () => {
    const results = await auditServer({
      url: 'http://api/graphql',
      fetchFn: (input: RequestInfo | URL, init?: RequestInit) =>
        yoga.fetch(input as string, {
          ...init,
          // The audit's GETs are cross-site "simple" requests; an API client sends the header.
          headers: {
            ...(init?.headers as Record<string, string>),
            'x-graphql-yoga-csrf': '1',
            ...testCredentials(),
          },
        }),
    });
    const failedMusts = results
      .filter((r) => r.status === 'error' && r.name.startsWith('MUST'))
      .map((r) => `${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(failedMusts).toEqual([]);
    expect(results.filter((r) => r.name.startsWith('MUST')).length).toBeGreaterThan(10);
  });
});

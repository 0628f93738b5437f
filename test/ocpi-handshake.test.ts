import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../db/client';
import { createEgress } from '../outbound/egress';
import type { RunningApi } from '../graphql/start-api';
import { startTestApi } from './support/api-in-process';
import { graphql, graphqlOk } from './support/graphql';
import { startOcpiEmsp, type OcpiEmsp } from './support/ocpi-emsp';
import { uniqueTenant } from './support/stack';

// OCPI 2.2.1's credentials handshake between Doppel (the CPO) and an eMSP nobody here wrote:
// extrawest-ocpi (py_ocpi) from PyPI, whose routers, validation and pydantic models judge
// Doppel's answers. Both directions: the eMSP registers with Doppel, and Doppel with the eMSP.

const database = createDatabase(inject('databaseUrl'));
let api: RunningApi;
let gql: string;
let emsp: OcpiEmsp;
const T = uniqueTenant('ocpi');

const FIELDS = `id status cpoCountryCode cpoPartyId cpoName emspCountryCode emspPartyId emspName
  versionsUrl endpoints { identifier role url } version`;
const REGISTER = `mutation ($i: RegisterOcpiPartyInput!) {
  registerOcpiParty(input: $i) { tokenA versionsUrl party { ${FIELDS} } } }`;
const ONE = `query ($t: ID!, $p: ID!) { ocpiParty(tenantId: $t, ocpiPartyId: $p) { ${FIELDS} } }`;

const register = async (id: string) =>
  (
    await graphqlOk(gql, REGISTER, {
      i: { tenantId: T, id, cpoCountryCode: 'nl', cpoPartyId: 'dop', cpoName: 'Doppel CPO' },
    })
  ).registerOcpiParty as { tokenA: string; versionsUrl: string; party: Record<string, unknown> };
const party = async (id: string) => (await graphqlOk(gql, ONE, { t: T, p: id })).ocpiParty;

/** A raw request to Doppel's OCPI interface with `Authorization: Token <base64>`. */
async function ocpi(method: string, url: string, token?: string, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Token ${Buffer.from(token).toString('base64')}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      'x-request-id': 'req-1',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as any,
  };
}

beforeAll(async () => {
  [api, emsp] = await Promise.all([startTestApi(database), startOcpiEmsp()]);
  gql = `http://127.0.0.1:${api.port}/graphql`;
}, 300_000);
afterAll(async () => {
  await emsp?.stop();
  await api?.stop();
  await database.close();
});

describe('OCPI credentials handshake', () => {
  it('lets an eMSP register with token A, then read, renew and delete its credentials', async () => {
    const { tokenA, versionsUrl, party: pending } = await register('emsp-in');
    expect(pending).toMatchObject({ status: 'PENDING', cpoCountryCode: 'NL', cpoPartyId: 'DOP' });
    expect(versionsUrl).toBe(`http://127.0.0.1:${api.port}/ocpi/cpo/versions`);

    // The library's client side: versions, details, POST credentials, each answer checked as
    // its OCPIResponse, Version, VersionDetail and Credentials models.
    const registered = await emsp.register(versionsUrl, tokenA);
    expect(registered.credentials.roles).toEqual([
      // CiString: the library keeps case-insensitive strings in lower case.
      expect.objectContaining({ role: 'CPO', party_id: 'dop', country_code: 'nl' }),
    ]);
    expect(registered.credentials.url).toBe(versionsUrl);
    expect(registered.endpoints.map((e) => e.identifier)).toContain('credentials');
    const tokenC = registered.credentials.token;
    expect(tokenC).not.toBe(tokenA);

    const connected = await party('emsp-in');
    expect(connected).toMatchObject({
      status: 'CONNECTED',
      emspCountryCode: 'DE',
      emspPartyId: 'EXW',
      emspName: 'Extrawest test eMSP',
      versionsUrl: emsp.versionsUrl,
    });
    expect(connected.endpoints.map((e: { identifier: string }) => e.identifier)).toEqual([
      'credentials',
      'locations',
      'commands',
      'tokens',
      'sessions',
      'cdrs',
    ]);

    // Token A is spent; token C reads the credentials, and the request id comes back.
    expect((await ocpi('GET', versionsUrl, tokenA)).status).toBe(401);
    const read = await ocpi(
      'GET',
      `${versionsUrl.replace(/versions$/, '2.2.1')}/credentials`,
      tokenC,
    );
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      status_code: 1000,
      data: { token: tokenC, url: versionsUrl },
    });
    expect(read.headers.get('x-request-id')).toBe('req-1');
    expect(Date.parse(read.body.timestamp)).not.toBeNaN();

    // A second POST is refused (405): registered parties update with PUT, which issues a new C.
    const credentialsUrl = registered.endpoints.find((e) => e.identifier === 'credentials')!.url;
    const mine = (await emsp.state()).cpos.find((c) => c.token_c === registered.token_c)!;
    const again = await emsp.call('POST', credentialsUrl, tokenC, {
      token: mine.token_c,
      url: emsp.versionsUrl,
      roles: [
        { role: 'EMSP', party_id: 'EXW', country_code: 'DE', business_details: { name: 'x' } },
      ],
    });
    expect(again.status).toBe(405);
    expect(again.body.status_code).toBe(2000);
    const renewed = await emsp.call('PUT', credentialsUrl, tokenC, {
      token: mine.token_c,
      url: emsp.versionsUrl,
      roles: [
        {
          role: 'EMSP',
          party_id: 'EXW',
          country_code: 'DE',
          business_details: { name: 'Renamed' },
        },
      ],
    });
    expect(renewed.status).toBe(200);
    const newC = renewed.body.data.token as string;
    expect(newC).not.toBe(tokenC);
    expect((await ocpi('GET', credentialsUrl, tokenC)).status).toBe(401);
    expect((await ocpi('GET', credentialsUrl, newC)).status).toBe(200);
    expect((await party('emsp-in')).emspName).toBe('Renamed');

    // DELETE unregisters: the token stops working at once.
    expect((await ocpi('DELETE', credentialsUrl, newC)).body.status_code).toBe(1000);
    expect((await ocpi('GET', credentialsUrl, newC)).status).toBe(401);
    expect((await party('emsp-in')).status).toBe('UNREGISTERED');
  });

  it('registers Doppel with an eMSP through the library’s own POST /credentials handler', async () => {
    await register('emsp-out');
    const before = new Set((await emsp.state()).cpos.map((c) => c.token_c));
    const connected = await graphqlOk(
      gql,
      `mutation ($t: ID!, $p: ID!, $u: String!, $k: String!) {
        connectOcpiParty(tenantId: $t, ocpiPartyId: $p, versionsUrl: $u, token: $k) { ${FIELDS} } }`,
      { t: T, p: 'emsp-out', u: emsp.versionsUrl, k: emsp.tokenA },
    );
    expect(connected.connectOcpiParty).toMatchObject({
      status: 'CONNECTED',
      emspPartyId: 'EXW',
      emspCountryCode: 'DE',
      versionsUrl: emsp.versionsUrl,
    });
    // The eMSP called Doppel back (versions and details with the token Doppel sent) and keeps
    // Doppel as a CPO; its token A is spent.
    const state = await emsp.state();
    const added = state.cpos.filter((c) => !before.has(c.token_c));
    expect(added).toHaveLength(1);
    const [cpo] = added;
    expect(cpo?.credentials).toMatchObject({
      url: `http://127.0.0.1:${api.port}/ocpi/cpo/versions`,
      roles: [expect.objectContaining({ party_id: 'dop', country_code: 'nl' })],
    });
    expect(cpo?.endpoints).toEqual([
      expect.objectContaining({ identifier: 'credentials', role: 'RECEIVER' }),
      expect.objectContaining({ identifier: 'locations', role: 'SENDER' }),
      expect.objectContaining({ identifier: 'tariffs', role: 'SENDER' }),
      expect.objectContaining({ identifier: 'commands', role: 'RECEIVER' }),
      expect.objectContaining({ identifier: 'tokens', role: 'RECEIVER' }),
      expect.objectContaining({ identifier: 'sessions', role: 'SENDER' }),
      expect.objectContaining({ identifier: 'cdrs', role: 'SENDER' }),
    ]);
    expect(state.tokens_a).not.toContain(emsp.tokenA);
    // Connected: a second handshake from Doppel's side is refused rather than replacing token C.
    const again = await graphql(
      gql,
      `
        mutation ($t: ID!, $p: ID!, $u: String!, $k: String!) {
          connectOcpiParty(tenantId: $t, ocpiPartyId: $p, versionsUrl: $u, token: $k) {
            id
          }
        }
      `,
      { t: T, p: 'emsp-out', u: emsp.versionsUrl, k: emsp.tokenA },
    );
    expect(again.errors?.[0]?.extensions?.code).toBe('ocpi:party.connected');
  });

  it('answers bad requests with OCPI’s status codes', async () => {
    const { tokenA, versionsUrl } = await register('emsp-bad');
    const credentialsUrl = versionsUrl.replace(/versions$/, '2.2.1/credentials');

    const anonymous = await ocpi('GET', versionsUrl);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ status_code: 2000 });
    expect(anonymous.body.status_message).toMatch(/ocpi:unauthenticated/);
    expect((await ocpi('GET', versionsUrl, 'not-a-token')).status).toBe(401);

    const invalid = await ocpi('POST', credentialsUrl, tokenA, {
      token: 'x',
      url: 'nope',
      roles: [],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.status_code).toBe(2001);
    expect(invalid.body.status_message).toMatch(/url/);

    const cpoOnly = await ocpi('POST', credentialsUrl, tokenA, {
      token: 'x',
      url: emsp.versionsUrl,
      roles: [
        { role: 'CPO', party_id: 'ABC', country_code: 'DE', business_details: { name: 'n' } },
      ],
    });
    expect(cpoOnly.body).toMatchObject({ status_code: 2001 });

    // The eMSP's API cannot be used with the token it gave: 3001, and the party stays pending.
    const unusable = await ocpi('POST', credentialsUrl, tokenA, {
      token: 'a-token-the-emsp-does-not-know',
      url: emsp.versionsUrl,
      roles: [
        { role: 'EMSP', party_id: 'EXW', country_code: 'DE', business_details: { name: 'n' } },
      ],
    });
    expect(unusable.body.status_code).toBe(3001);
    expect((await party('emsp-bad')).status).toBe('PENDING');

    expect((await ocpi('PUT', credentialsUrl, tokenA, {})).status).toBe(405);
    expect(
      (await ocpi('GET', `${versionsUrl.replace(/versions$/, '2.2.1')}/nothing`, tokenA)).status,
    ).toBe(401);
    expect((await ocpi('PATCH', versionsUrl, tokenA)).status).toBe(405);
  });

  it('keeps to the egress rules when Doppel calls an eMSP, and refuses other tenants', async () => {
    const closed = await startTestApi(database, { egress: createEgress([]) });
    try {
      await register('emsp-closed');
      const refused = await graphql(
        `http://127.0.0.1:${closed.port}/graphql`,
        `
          mutation ($t: ID!, $p: ID!, $u: String!, $k: String!) {
            connectOcpiParty(tenantId: $t, ocpiPartyId: $p, versionsUrl: $u, token: $k) {
              id
            }
          }
        `,
        { t: T, p: 'emsp-closed', u: emsp.versionsUrl, k: emsp.tokenA },
      );
      expect(refused.errors?.[0]?.extensions?.code).toBe('egress:forbidden');
    } finally {
      await closed.stop();
    }
    const missing = await graphql(
      gql,
      `
        mutation ($t: ID!, $p: ID!, $u: String!, $k: String!) {
          connectOcpiParty(tenantId: $t, ocpiPartyId: $p, versionsUrl: $u, token: $k) {
            id
          }
        }
      `,
      { t: T, p: 'nobody', u: emsp.versionsUrl, k: emsp.tokenA },
    );
    expect(missing.errors?.[0]?.extensions?.code).toBe('ocpi:party.not-found');
    const taken = await graphql(gql, REGISTER, {
      i: { tenantId: T, id: 'emsp-closed', cpoCountryCode: 'NL', cpoPartyId: 'DOP', cpoName: 'x' },
    });
    expect(taken.errors?.[0]?.extensions?.code).toBe('ocpi:party.exists');
    const bad = await graphql(gql, REGISTER, {
      i: { tenantId: T, id: 'emsp-x', cpoCountryCode: 'NLD', cpoPartyId: 'DO', cpoName: 'x' },
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('ocpi:input.invalid');
  });
});

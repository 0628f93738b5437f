import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ocpiTokenByUid } from '../db/ocpi-token-store';
import { graphql, graphqlOk } from './support/graphql';
import { startOcpiEmsp, type OcpiEmsp } from './support/ocpi-emsp';
import {
  bootPayload,
  connectStation,
  type OcppVersion,
  type Station,
} from './support/ocpp-station';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

// Stations' idTags authorised against the tokens of an eMSP nobody here wrote (extrawest-ocpi):
// the eMSP pushes its drivers' tokens to Doppel's Tokens receiver, real OCPP stations present
// them, and an idTag Doppel does not know goes to the library's own real-time authorize router.

let stack: TestStack;
let emsp: OcpiEmsp;
let token: string;
let base: string;
const stations: Station[] = [];
const T = uniqueTenant('ocpi-tok');
/** A tenant that does not roam: its stations accept every idTag, as before. */
const U = uniqueTenant('ocpi-tok-none');

const ok = (query: string, variables: Record<string, unknown>) =>
  graphqlOk(stack.apiUrl, query, variables);

async function station(tenantId: string, deviceId: string, version: OcppVersion) {
  const registered = await ok(
    'mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }',
    { i: { tenantId, deviceId } },
  );
  const connected = await connectStation(
    stack.ocppUrl,
    version,
    deviceId,
    registered.registerDevice.token,
    tenantId,
  );
  stations.push(connected);
  await connected.call('BootNotification', bootPayload(version));
  return connected;
}

const driver = (uid: string, fields: Record<string, unknown> = {}) => ({
  country_code: 'DE',
  party_id: 'EXW',
  uid,
  type: 'RFID',
  contract_id: `DE-EXW-${uid}`,
  issuer: 'Extrawest',
  valid: true,
  whitelist: 'ALWAYS',
  last_updated: new Date().toISOString(),
  ...fields,
});

const tokensUrl = () => `${base}/ocpi/cpo/2.2.1/tokens`;
let cp16: Station;
let cp201: Station;
let elsewhere: Station;

beforeAll(async () => {
  [stack, emsp] = await Promise.all([startTestStack(), startOcpiEmsp()]);
  base = stack.apiUrl.replace(/\/graphql$/, '');
  cp16 = await station(T, 'cp-16', 'ocpp1.6');
  cp201 = await station(T, 'cp-201', 'ocpp2.0.1');
  elsewhere = await station(U, 'cp-u', 'ocpp1.6');
  const { registerOcpiParty } = await ok(
    `mutation ($i: RegisterOcpiPartyInput!) { registerOcpiParty(input: $i) { tokenA versionsUrl } }`,
    { i: { tenantId: T, id: 'emsp', cpoCountryCode: 'NL', cpoPartyId: 'DOP', cpoName: 'Doppel' } },
  );
  const registration = await emsp.register(registerOcpiParty.versionsUrl, registerOcpiParty.tokenA);
  token = registration.credentials.token;
  expect(registration.endpoints).toContainEqual(
    expect.objectContaining({ identifier: 'tokens', role: 'RECEIVER', url: tokensUrl() }),
  );
}, 300_000);
afterAll(async () => {
  if (stack)
    await graphql(
      stack.apiUrl,
      'mutation ($t: ID!) { removeOcpiParty(tenantId: $t, ocpiPartyId: "emsp") { __typename } }',
      { t: T },
    );
  for (const s of stations) await s.close({ code: 1000 });
  await emsp?.stop();
  await stack?.stop();
});

const authorize16 = async (idTag: string) =>
  (await cp16.call('Authorize', { idTag })).idTagInfo.status as string;

describe('OCPI Tokens (Receiver) and idTag authorisation', () => {
  it('takes a token the eMSP PUTs, serves it back, and a station’s Authorize with it is Accepted', async () => {
    const put = await emsp.token(driver('CARD-0001'), { url: tokensUrl(), auth: token });
    expect(put.status).toBe(200);
    expect(put.body.status_code).toBe(1000);
    const read = await emsp.getToken(`${tokensUrl()}/DE/EXW/card-0001?type=RFID`, token);
    expect(read.error).toBeUndefined();
    expect(read.object).toMatchObject({ uid: 'card-0001', valid: true, whitelist: 'ALWAYS' });
    // The station's card in its own case: a uid is case-insensitive.
    await expect.poll(() => authorize16('CARD-0001'), { timeout: 15_000 }).toBe('Accepted');
    const started = await cp16.call('StartTransaction', {
      connectorId: 1,
      idTag: 'CARD-0001',
      meterStart: 0,
      timestamp: new Date().toISOString(),
    });
    expect(started.idTagInfo.status).toBe('Accepted');
    // A uid longer than a 1.6 idTag: the station presents its first 20 characters.
    await emsp.token(driver('CARD-0003-ABCDEFGHIJKLMNOP'), { url: tokensUrl(), auth: token });
    expect(await authorize16('CARD-0003-ABCDEFGHIJ')).toBe('Accepted');
    // Answered from the cache: the eMSP was not asked.
    expect((await emsp.state()).authorized).toEqual([]);
  });

  it('refuses a token the eMSP PATCHed to valid: false, in Authorize and StartTransaction', async () => {
    await emsp.token(driver('CARD-0002'), { url: tokensUrl(), auth: token });
    await expect.poll(() => authorize16('CARD-0002'), { timeout: 15_000 }).toBe('Accepted');
    const patched = await emsp.patchToken(tokensUrl(), token, 'card-0002', {
      valid: false,
      last_updated: new Date().toISOString(),
    });
    expect(patched).toMatchObject({ status: 200, body: { status_code: 1000 } });
    expect(await authorize16('CARD-0002')).toBe('Blocked');
    const started = await cp16.call('StartTransaction', {
      connectorId: 2,
      idTag: 'CARD-0002',
      meterStart: 0,
      timestamp: new Date().toISOString(),
    });
    expect(started.idTagInfo.status).toBe('Blocked');
    const read = await emsp.getToken(`${tokensUrl()}/DE/EXW/card-0002`, token);
    expect(read.object).toMatchObject({ valid: false, issuer: 'Extrawest' });
  });

  it('asks the eMSP in real time about an idTag it never pushed, and its verdict decides', async () => {
    // Tokens the eMSP holds but did not push to Doppel.
    await emsp.token(driver('APP-ALLOWED'), { verdict: 'ALLOWED' });
    await emsp.token(driver('APP-NOCREDIT'), { verdict: 'NO_CREDIT' });
    await emsp.token(driver('APP-BLOCKED'), { verdict: 'BLOCKED' });
    expect(await authorize16('APP-ALLOWED')).toBe('Accepted');
    expect(await authorize16('APP-BLOCKED')).toBe('Blocked');
    // OCPP 1.6 has no "no credit": not allowed to charge is Invalid; 2.0.1 names it.
    expect(await authorize16('APP-NOCREDIT')).toBe('Invalid');
    const authorize201 = await cp201.call('Authorize', {
      idToken: { idToken: 'APP-NOCREDIT', type: 'ISO14443' },
    });
    expect(authorize201.idTokenInfo.status).toBe('NoCredit');
    // A card the eMSP does not know (its router answers 404).
    expect(await authorize16('NOBODY-KNOWS')).toBe('Invalid');
    expect((await emsp.state()).authorized).toEqual(
      expect.arrayContaining(['app-allowed', 'app-blocked', 'app-nocredit']),
    );
    // The ALLOWED brought the eMSP's Token (whitelist ALWAYS): cached, it is not asked again.
    await expect
      .poll(() => ocpiTokenByUid(stack.database, T, 'APP-ALLOWED'), { timeout: 30_000 })
      .toMatchObject({ token: { uid: 'app-allowed', whitelist: 'ALWAYS' } });
    const asked = (await emsp.state()).authorized.length;
    expect(await authorize16('APP-ALLOWED')).toBe('Accepted');
    expect((await emsp.state()).authorized).toHaveLength(asked);
    // A refusal caches nothing.
    expect(await ocpiTokenByUid(stack.database, T, 'APP-BLOCKED')).toBeNull();
    // A cached token whose whitelist is NEVER is asked about every time.
    await emsp.token(driver('CARD-NEVER', { whitelist: 'NEVER' }), {
      verdict: 'EXPIRED',
      url: tokensUrl(),
      auth: token,
    });
    expect(await authorize16('CARD-NEVER')).toBe('Expired');
    // Outcomes are counted by where the answer came from.
    const metrics = await (await fetch(stack.metricsUrl)).text();
    const counted = (source: string, status: string) =>
      Number(
        new RegExp(
          `doppel_gateway_id_tag_authorizations_total\\{source="${source}",status="${status}"\\} (\\d+)`,
        ).exec(metrics)?.[1] ?? 0,
      );
    expect(counted('realtime', 'Expired')).toBe(1);
    expect(counted('realtime', 'NoCredit')).toBe(1);
    expect(counted('cache', 'Accepted')).toBeGreaterThanOrEqual(3);
  });

  it('accepts the idTag of a session the eMSP started (START_SESSION) without asking again', async () => {
    await ok('mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename } }', {
      i: { tenantId: T, customerId: 'cust', name: 'Charge Co' },
    });
    await ok('mutation ($i: CreateSiteInput!) { createSite(input: $i) { __typename } }', {
      i: { tenantId: T, siteId: 'loc-a', customerId: 'cust', name: 'Depot' },
    });
    await ok('mutation ($i: CreateAssetInput!) { createAsset(input: $i) { __typename } }', {
      i: { tenantId: T, assetId: 'bay-1', siteId: 'loc-a', name: 'Bay 1' },
    });
    await ok('mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { __typename } }', {
      i: { tenantId: T, assetId: 'bay-1', deviceId: 'cp-16' },
    });
    await ok(
      `mutation ($t: ID!, $l: JSONObject!) { setOcpiLocation(tenantId: $t, siteId: "loc-a", location: $l) { siteId } }`,
      {
        t: T,
        l: {
          address: 'Stationsplein 1',
          city: 'Amsterdam',
          country: 'NLD',
          coordinates: { latitude: '52.37403', longitude: '4.88969' },
          time_zone: 'Europe/Amsterdam',
        },
      },
    );
    const started: string[] = [];
    cp16.handle(({ method, params }) => {
      if (method === 'RemoteStartTransaction') started.push(params.idTag);
      return { status: 'Accepted' };
    });
    // An app user the eMSP never pushed, and its real-time answer would not know (404).
    const app = driver('APP-START-1', { type: 'APP_USER', whitelist: 'NEVER' });
    await expect
      .poll(
        async () =>
          (
            await emsp.command(`${base}/ocpi/cpo/2.2.1/commands`, token, 'START_SESSION', {
              token: app,
              location_id: 'loc-a',
              evse_uid: 'bay-1',
              connector_id: '1',
            })
          ).response?.result,
        { timeout: 30_000 },
      )
      .toBe('ACCEPTED');
    await expect.poll(() => started.length, { timeout: 30_000 }).toBeGreaterThan(0);
    const idTag = started[0]!;
    expect(await authorize16(idTag)).toBe('Accepted');
    const tx = await cp16.call('StartTransaction', {
      connectorId: 3,
      idTag,
      meterStart: 0,
      timestamp: new Date().toISOString(),
    });
    expect(tx.idTagInfo.status).toBe('Accepted');
    expect((await emsp.state()).authorized).not.toContain('app-start-1');
    // The same card presented at a station that was not asked to start: the eMSP decides.
    const other = await cp201.call('Authorize', { idToken: { idToken: idTag, type: 'ISO14443' } });
    expect(other.idTokenInfo.status).toBe('Invalid');
  });

  it('keeps accepting every idTag in a tenant without OCPI parties', async () => {
    const answer = await elsewhere.call('Authorize', { idTag: 'NOBODY-KNOWS' });
    expect(answer.idTagInfo.status).toBe('Accepted');
    const started = await elsewhere.call('StartTransaction', {
      connectorId: 1,
      idTag: 'CARD-0002',
      meterStart: 0,
      timestamp: new Date().toISOString(),
    });
    expect(started.idTagInfo.status).toBe('Accepted');
  });

  it('answers an idTag no eMSP could be asked about as the tenant’s setting says', async () => {
    const T2 = uniqueTenant('ocpi-tok-off');
    const gone = await startOcpiEmsp();
    try {
      const cp = await station(T2, 'cp-off', 'ocpp1.6');
      const { registerOcpiParty } = await ok(
        `mutation ($i: RegisterOcpiPartyInput!) { registerOcpiParty(input: $i) { tokenA versionsUrl } }`,
        { i: { tenantId: T2, id: 'gone', cpoCountryCode: 'NL', cpoPartyId: 'DOP', cpoName: 'D' } },
      );
      const auth = (await gone.register(registerOcpiParty.versionsUrl, registerOcpiParty.tokenA))
        .credentials.token;
      await gone.token(driver('CARD-OFFLINE', { whitelist: 'ALLOWED_OFFLINE' }), {
        url: tokensUrl(),
        auth,
      });
      await gone.token(driver('CARD-ASK', { whitelist: 'NEVER' }), { url: tokensUrl(), auth });
      await gone.stop();
      const authorize = async (idTag: string) =>
        (await cp.call('Authorize', { idTag })).idTagInfo.status as string;
      // By default nobody vouching for a card is a refusal, unless the eMSP allowed it offline.
      expect(await authorize('NOBODY-KNOWS')).toBe('Invalid');
      expect(await authorize('CARD-ASK')).toBe('Invalid');
      expect(await authorize('CARD-OFFLINE')).toBe('Accepted');
      const SET = `mutation ($t: ID!, $u: OcpiUnansweredAuthorization!) {
        setOcpiSettings(tenantId: $t, unansweredAuthorization: $u) { unansweredAuthorization } }`;
      await ok(SET, { t: T2, u: 'ACCEPT' });
      await expect.poll(() => authorize('NOBODY-KNOWS'), { timeout: 15_000 }).toBe('Accepted');
      expect(await authorize('CARD-ASK')).toBe('Accepted');
      const read = await ok(
        'query ($t: ID!) { ocpiSettings(tenantId: $t) { unansweredAuthorization updatedAt } }',
        {
          t: T2,
        },
      );
      expect(read.ocpiSettings.unansweredAuthorization).toBe('ACCEPT');
      await ok(SET, { t: T2, u: 'REFUSE' });
      await expect.poll(() => authorize('NOBODY-KNOWS'), { timeout: 15_000 }).toBe('Invalid');
    } finally {
      await gone.stop();
      await graphql(
        stack.apiUrl,
        'mutation ($t: ID!) { removeOcpiParty(tenantId: $t, ocpiPartyId: "gone") { __typename } }',
        { t: T2 },
      );
    }
  });

  it('pulls a newly connected eMSP’s tokens into the cache, page by page (through Temporal)', async () => {
    const T3 = uniqueTenant('ocpi-tok-pull');
    const held = await startOcpiEmsp();
    try {
      // The eMSP's drivers before it connects; its list answers 2 a page.
      for (const uid of ['PULL-1', 'PULL-2', 'PULL-3', 'PULL-4', 'PULL-5'])
        await held.token(driver(uid, uid === 'PULL-5' ? { valid: false } : {}));
      const cp = await station(T3, 'cp-pull', 'ocpp1.6');
      const { registerOcpiParty } = await ok(
        `mutation ($i: RegisterOcpiPartyInput!) { registerOcpiParty(input: $i) { tokenA versionsUrl } }`,
        { i: { tenantId: T3, id: 'held', cpoCountryCode: 'NL', cpoPartyId: 'DOP', cpoName: 'D' } },
      );
      await held.register(registerOcpiParty.versionsUrl, registerOcpiParty.tokenA);
      await expect
        .poll(async () => (await ocpiTokenByUid(stack.database, T3, 'PULL-5'))?.token.valid, {
          timeout: 30_000,
        })
        .toBe(false);
      for (const uid of ['pull-1', 'PULL-2', 'Pull-3', 'PULL-4'])
        expect(await ocpiTokenByUid(stack.database, T3, uid), uid).toMatchObject({
          ocpiPartyId: 'held',
          token: { uid: uid.toLowerCase(), valid: true, issuer: 'Extrawest' },
        });
      // From the cache: the eMSP's real-time answer would have been ALLOWED.
      const answer = await cp.call('Authorize', { idTag: 'PULL-5' });
      expect(answer.idTagInfo.status).toBe('Blocked');
      expect((await held.state()).authorized).toEqual([]);
    } finally {
      await held.stop();
      await graphql(
        stack.apiUrl,
        'mutation ($t: ID!) { removeOcpiParty(tenantId: $t, ocpiPartyId: "held") { __typename } }',
        { t: T3 },
      );
    }
  });

  it('refuses tokens of another party, bodies that are not Tokens, and unknown tokens', async () => {
    const put = (path: string, body: unknown) =>
      emsp.call('PUT', `${tokensUrl()}${path}`, token, body);
    const other = await put(
      '/NL/XYZ/card-9',
      driver('card-9', { country_code: 'NL', party_id: 'XYZ' }),
    );
    expect(other.status).toBe(400);
    expect(other.body.status_code).toBe(2001);
    expect(other.body.status_message).toMatch(/DE\/EXW/);
    const bad = await put('/DE/EXW/card-9', {
      ...driver('card-9'),
      issuer: undefined,
      whitelist: 'SOMETIMES',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.status_code).toBe(2001);
    expect(bad.body.status_message).toMatch(/issuer/);
    expect(bad.body.status_message).toMatch(/whitelist/);
    const mismatch = await put('/DE/EXW/card-9', driver('card-8'));
    expect(mismatch.body.status_message).toMatch(/uid/);
    const badType = await put('/DE/EXW/card-9?type=PLASTIC', driver('card-9'));
    expect(badType.body.status_code).toBe(2001);
    const noDate = await emsp.call('PATCH', `${tokensUrl()}/DE/EXW/card-0001`, token, {
      valid: false,
    });
    expect(noDate.status).toBe(400);
    expect(noDate.body.status_message).toMatch(/last_updated/);
    const unknownPatch = await emsp.call('PATCH', `${tokensUrl()}/DE/EXW/card-77`, token, {
      valid: false,
      last_updated: new Date().toISOString(),
    });
    expect(unknownPatch.status).toBe(404);
    expect(unknownPatch.body.status_code).toBe(2004);
    const unknownGet = await emsp.call('GET', `${tokensUrl()}/DE/EXW/card-77`, token);
    expect(unknownGet.status).toBe(404);
    expect(unknownGet.body.status_code).toBe(2004);
    const wrongMethod = await emsp.call('DELETE', `${tokensUrl()}/DE/EXW/card-0001`, token);
    expect(wrongMethod.status).toBe(405);
    // Nothing refused was stored: card 0001 is still valid.
    expect(await authorize16('CARD-0001')).toBe('Accepted');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql, graphqlOk } from './support/graphql';
import { startOcpiEmsp, type OcpiEmsp } from './support/ocpi-emsp';
import { bootPayload, connectStation, type Station } from './support/ocpp-station';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

// An OCPI party as a backend kind of the routing (decision 6): with an enabled OCPI backend,
// the independent eMSP (extrawest-ocpi) sees only the stations the backend matches — in its
// pulls, the status pushes and its commands — and the gateway opens nothing for it. Two real
// OCPP 1.6 stations of different models share one Location.

let stack: TestStack;
let emsp: OcpiEmsp;
const stations: Record<string, Station> = {};
/** What each station was asked by Doppel (commands from OCPI), by station. */
const received: Record<string, string[]> = { 'cp-ac': [], 'cp-dc': [] };
let token: string;
let base: string;
const T = uniqueTenant('ocpi-route');

const ok = (query: string, variables: Record<string, unknown>) =>
  graphqlOk(stack.apiUrl, query, variables);

const FIELDS = `id kind url ocpiPartyId role enabled match { devices models } allowedActions
  replyTimeoutMs bufferLimit hasSecret version`;
const REGISTER = `mutation ($i: RegisterBackendInput!) { registerBackend(input: $i) { ${FIELDS} } }`;
const UPDATE = `mutation ($i: UpdateBackendInput!) { updateBackend(input: $i) { ${FIELDS} } }`;
const REMOVE = `mutation ($t: ID!, $b: ID!) { removeBackend(tenantId: $t, backendId: $b) { removed } }`;

const details = {
  address: 'Stationsplein 1',
  city: 'Amsterdam',
  postal_code: '1012AB',
  country: 'NLD',
  coordinates: { latitude: '52.37403', longitude: '4.88969' },
  time_zone: 'Europe/Amsterdam',
};

const driver = {
  country_code: 'DE',
  party_id: 'EXW',
  uid: 'TOKEN-0002',
  type: 'APP_USER',
  contract_id: 'DE-EXW-C00000002',
  issuer: 'Extrawest',
  valid: true,
  whitelist: 'ALLOWED',
  last_updated: new Date().toISOString(),
};

const url = (path = '') => `${base}/ocpi/cpo/2.2.1/locations${path}`;
const status = (deviceId: string, connectorStatus: string) =>
  stations[deviceId]!.call('StatusNotification', {
    connectorId: 1,
    status: connectorStatus,
    errorCode: 'NoError',
  });
/** loc-r's EVSE statuses as the eMSP holds them (its PATCH handler reorders the EVSEs). */
const held = async () => Object.fromEntries((await emsp.state()).locations['loc-r'] ?? []);
/** The Locations the eMSP pulls now: id → its EVSEs' uids. */
const pulled = async () => {
  const all = await emsp.pull(url(), token);
  expect(all.error).toBeUndefined();
  return Object.fromEntries(all.objects.map((l) => [l.id, l.evses.map((e: any) => e.uid)]));
};
const startSession = (evseUid: string) =>
  emsp.command(`${base}/ocpi/cpo/2.2.1/commands`, token, 'START_SESSION', {
    token: driver,
    location_id: 'loc-r',
    evse_uid: evseUid,
    connector_id: '1',
  });

beforeAll(async () => {
  [stack, emsp] = await Promise.all([startTestStack(), startOcpiEmsp()]);
  base = stack.apiUrl.replace(/\/graphql$/, '');
  await ok('mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename } }', {
    i: { tenantId: T, customerId: 'cust', name: 'Charge Co' },
  });
  for (const siteId of ['loc-r', 'loc-s'])
    await ok('mutation ($i: CreateSiteInput!) { createSite(input: $i) { __typename } }', {
      i: { tenantId: T, siteId, customerId: 'cust', name: `Site ${siteId}` },
    });
  // loc-r: an AC and a DC station; loc-s: one bay without a station yet.
  for (const [assetId, siteId] of [
    ['bay-1', 'loc-r'],
    ['bay-2', 'loc-r'],
    ['bay-3', 'loc-s'],
  ] as const)
    await ok('mutation ($i: CreateAssetInput!) { createAsset(input: $i) { __typename } }', {
      i: { tenantId: T, assetId, siteId, name: assetId },
    });
  for (const [deviceId, model, assetId] of [
    ['cp-ac', 'AC-22', 'bay-1'],
    ['cp-dc', 'DC-50', 'bay-2'],
  ] as const) {
    const registered = await ok(
      'mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }',
      { i: { tenantId: T, deviceId, model } },
    );
    await ok('mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { __typename } }', {
      i: { tenantId: T, assetId, deviceId },
    });
    const station = await connectStation(
      stack.ocppUrl,
      'ocpp1.6',
      deviceId,
      registered.registerDevice.token,
      T,
    );
    station.handle(({ method }) => {
      received[deviceId]!.push(method);
      return { status: 'Accepted' };
    });
    // The model a station boots with is the one its twin holds, which backends match.
    await station.call('BootNotification', { ...bootPayload('ocpp1.6'), chargePointModel: model });
    stations[deviceId] = station;
    await status(deviceId, 'Available');
  }
  for (const siteId of ['loc-r', 'loc-s'])
    await ok(
      `mutation ($t: ID!, $s: ID!, $l: JSONObject!) {
        setOcpiLocation(tenantId: $t, siteId: $s, location: $l) { siteId } }`,
      { t: T, s: siteId, l: details },
    );
  const { registerOcpiParty } = await ok(
    `mutation ($i: RegisterOcpiPartyInput!) { registerOcpiParty(input: $i) { tokenA versionsUrl } }`,
    { i: { tenantId: T, id: 'emsp', cpoCountryCode: 'NL', cpoPartyId: 'DOP', cpoName: 'Doppel' } },
  );
  token = (await emsp.register(registerOcpiParty.versionsUrl, registerOcpiParty.tokenA)).credentials
    .token;
}, 300_000);

afterAll(async () => {
  // Ends the party's push workflow, so it does not retry against this eMSP for the rest of the suite.
  if (stack)
    await graphql(
      stack.apiUrl,
      'mutation ($t: ID!) { removeOcpiParty(tenantId: $t, ocpiPartyId: "emsp") { __typename } }',
      { t: T },
    );
  for (const station of Object.values(stations)) await station.close({ code: 1000 });
  await emsp?.stop();
  await stack?.stop();
});

describe('an OCPI party as a backend kind', () => {
  it('without an OCPI backend, the party sees every station of the tenant', async () => {
    // On connecting, the push PUTs every Location the party sees (checked by the library's model).
    await expect
      .poll(async () => (await emsp.state()).log.flatMap((e) => (e.put ? [e.put] : [])).sort(), {
        timeout: 60_000,
        interval: 1_000,
      })
      .toEqual(['loc-r', 'loc-s']);
    expect(await pulled()).toEqual({ 'loc-r': ['bay-1', 'bay-2'], 'loc-s': ['bay-3'] });
  });

  it('with one matching a model, the party pulls, is pushed and commands only that station', async () => {
    const backend = await ok(REGISTER, {
      i: {
        tenantId: T,
        id: 'emsp-ac',
        kind: 'OCPI',
        ocpiPartyId: 'emsp',
        match: { models: ['AC-22'] },
      },
    });
    expect(backend.registerBackend).toMatchObject({
      kind: 'OCPI',
      ocpiPartyId: 'emsp',
      url: null,
      role: null,
      enabled: true,
      match: { devices: null, models: ['AC-22'] },
      allowedActions: [],
      replyTimeoutMs: null,
      bufferLimit: null,
      hasSecret: false,
    });

    // Pushes: the DC station changes first, then the AC one twice. The eMSP held both EVSEs
    // from the pull above; the push sent the DC station's EVSE once more, REMOVED, as it left
    // the party's sight. Once the AC station's last change arrived, every earlier round is
    // done, and the DC station's CHARGING was never sent.
    await status('cp-dc', 'Charging');
    await status('cp-ac', 'Reserved');
    await expect
      .poll(held, {
        timeout: 60_000,
        interval: 1_000,
      })
      .toEqual({ 'bay-1': 'RESERVED', 'bay-2': 'REMOVED' });
    await status('cp-ac', 'Available');
    await expect
      .poll(held, {
        timeout: 60_000,
        interval: 1_000,
      })
      .toEqual({ 'bay-1': 'AVAILABLE', 'bay-2': 'REMOVED' });
    const patches = (await emsp.state()).log.filter((entry) => entry.patched === 'loc-r');
    expect(patches.length).toBeGreaterThan(0);
    expect(JSON.stringify(patches)).not.toContain('CHARGING');

    // Pulls: the DC station's EVSE is gone, and loc-s, with no station the party sees, too.
    const page = await emsp.pull(url(), token);
    expect(page.error).toBeUndefined();
    expect(page.pages).toEqual([expect.objectContaining({ count: 1, total: '1' })]);
    expect(page.objects.map((l) => [l.id, l.evses.map((e: any) => [e.uid, e.status])])).toEqual([
      ['loc-r', [['bay-1', 'AVAILABLE']]],
    ]);
    for (const path of ['/loc-r/bay-2', '/loc-r/bay-2/1', '/loc-s']) {
      const missing = await emsp.get(url(path), token, 'Location');
      expect(missing.status, path).toBe(404);
      expect(missing.body.status_code, path).toBe(2003);
    }
    expect((await emsp.get(url('/loc-r/bay-1'), token, 'EVSE')).object).toMatchObject({
      uid: 'bay-1',
    });
    // A change of the station it does not see leaves the party's Location as it was.
    const before = page.objects[0].last_updated;
    await status('cp-dc', 'Reserved');
    await expect
      .poll(
        async () =>
          (
            await ok('query ($t: ID!) { device(tenantId: $t, deviceId: "cp-dc") { reported } }', {
              t: T,
            })
          ).device.reported.connectors?.['1']?.status,
        { timeout: 30_000 },
      )
      .toBe('Reserved');
    expect((await emsp.get(url('/loc-r'), token, 'Location')).object.last_updated).toBe(before);

    // Commands: the DC station is, to the party, an unknown EVSE; the AC one takes its command.
    const refused = await startSession('bay-2');
    expect(refused.status).toBe(404);
    expect(refused.body.status_code).toBe(2003);
    const reserve = await emsp.command(`${base}/ocpi/cpo/2.2.1/commands`, token, 'RESERVE_NOW', {
      token: driver,
      expiry_date: new Date(Date.now() + 15 * 60_000).toISOString(),
      reservation_id: 'res-dc',
      location_id: 'loc-r',
      evse_uid: 'bay-2',
    });
    expect(reserve.status).toBe(404);
    expect(reserve.body.status_code).toBe(2003);
    const started = await startSession('bay-1');
    expect(started.response).toMatchObject({ result: 'ACCEPTED' });
    await expect
      .poll(() => received['cp-ac'], { timeout: 30_000 })
      .toContain('RemoteStartTransaction');
    expect(received['cp-dc']).not.toContain('RemoteStartTransaction');
    expect(received['cp-dc']).not.toContain('ReserveNow');
  }, 180_000);

  it('follows a change of the match, and disabled or removed backends give back the whole tenant', async () => {
    await ok(UPDATE, { i: { tenantId: T, id: 'emsp-ac', match: { devices: ['cp-dc'] } } });
    expect(await pulled()).toEqual({ 'loc-r': ['bay-2'] });
    await ok(UPDATE, { i: { tenantId: T, id: 'emsp-ac', enabled: false } });
    expect(await pulled()).toEqual({ 'loc-r': ['bay-1', 'bay-2'], 'loc-s': ['bay-3'] });
    await ok(UPDATE, {
      i: { tenantId: T, id: 'emsp-ac', enabled: true, match: { models: ['AC-22'] } },
    });
    expect(await pulled()).toEqual({ 'loc-r': ['bay-1'] });

    expect((await ok(REMOVE, { t: T, b: 'emsp-ac' })).removeBackend.removed).toBe(true);
    expect(await pulled()).toEqual({ 'loc-r': ['bay-1', 'bay-2'], 'loc-s': ['bay-3'] });
    const started = await startSession('bay-2');
    expect(started.response).toMatchObject({ result: 'ACCEPTED' });
    await expect
      .poll(() => received['cp-dc'], { timeout: 30_000 })
      .toContain('RemoteStartTransaction');
    // The DC station's changes are pushed again (the pull above left it RESERVED).
    await status('cp-dc', 'Unavailable');
    await expect
      .poll(held, {
        timeout: 60_000,
        interval: 1_000,
      })
      .toEqual({ 'bay-1': 'AVAILABLE', 'bay-2': 'INOPERATIVE' });
  }, 120_000);

  it('refuses OCPI backends with an unknown party or fields of the other kinds, and a change of kind', async () => {
    const refusal = async (query: string, input: Record<string, unknown>) => {
      const res = await graphql(stack.apiUrl, query, { i: input });
      expect(res.errors).toHaveLength(1);
      return { code: res.errors![0]!.extensions?.code, message: res.errors![0]!.message };
    };
    const ocpi = (extra: Record<string, unknown>) => ({
      tenantId: T,
      id: 'bad',
      kind: 'OCPI',
      ocpiPartyId: 'emsp',
      ...extra,
    });
    const unknown = await refusal(REGISTER, ocpi({ ocpiPartyId: 'nobody' }));
    expect(unknown.code).toBe('routing:backend.invalid');
    expect(unknown.message).toMatch(/no OCPI party nobody[\s\S]*at ocpiPartyId/);
    // A party of another tenant is no party of this one.
    const other = uniqueTenant('ocpi-route-b');
    await ok(`mutation ($i: RegisterOcpiPartyInput!) { registerOcpiParty(input: $i) { tokenA } }`, {
      i: { tenantId: other, id: 'emsp-b', cpoCountryCode: 'NL', cpoPartyId: 'DOP', cpoName: 'B' },
    });
    expect((await refusal(REGISTER, ocpi({ ocpiPartyId: 'emsp-b' }))).code).toBe(
      'routing:backend.invalid',
    );
    const missing = await refusal(REGISTER, ocpi({ ocpiPartyId: undefined }));
    expect(missing.code).toBe('routing:backend.invalid');
    expect(missing.message).toMatch(/ocpiPartyId/);
    for (const [field, value] of [
      ['url', 'wss://csms.example.com/ocpp'],
      ['secret', 'a-secret-of-16-chars'],
      ['role', 'PRIMARY'],
      ['allowedActions', ['Reset']],
      ['replyTimeoutMs', 5_000],
      ['bufferLimit', 10],
    ] as const) {
      const refused = await refusal(REGISTER, ocpi({ [field]: value }));
      expect(refused.code, field).toBe('routing:backend.invalid');
      expect(refused.message, field).toMatch(
        new RegExp(`OCPI backend has no ${field}[\\s\\S]*at ${field}`),
      );
    }
    // An OCPP backend needs its URL, as before; and a kind does not change.
    expect((await refusal(REGISTER, { tenantId: T, id: 'bad', kind: 'OCPP' })).code).toBe(
      'routing:backend.invalid',
    );
    await ok(REGISTER, { i: ocpi({ id: 'kept' }) });
    const changed = await refusal(UPDATE, {
      tenantId: T,
      id: 'kept',
      kind: 'OCPP',
      url: 'wss://csms.example.com/ocpp',
    });
    expect(changed.code).toBe('routing:backend.kind-immutable');
    await ok(REMOVE, { t: T, b: 'kept' });
  });

  it('removing a party removes its OCPI backends, so a party registered again under its id is not narrowed', async () => {
    const tenant = uniqueTenant('ocpi-route-c');
    const party = {
      tenantId: tenant,
      id: 'emsp-c',
      cpoCountryCode: 'NL',
      cpoPartyId: 'DOP',
      cpoName: 'C',
    };
    const registerParty = `mutation ($i: RegisterOcpiPartyInput!) { registerOcpiParty(input: $i) { tokenA } }`;
    const list = `query ($t: ID!) { backends(tenantId: $t) { id } }`;
    await ok(registerParty, { i: party });
    await ok(REGISTER, {
      i: {
        tenantId: tenant,
        id: 'narrow',
        kind: 'OCPI',
        ocpiPartyId: 'emsp-c',
        match: { models: ['AC-22'] },
      },
    });
    await ok(REGISTER, {
      i: {
        tenantId: tenant,
        id: 'hook',
        kind: 'WEBHOOK',
        url: 'https://hooks.example.com/x',
        secret: 'a-secret-of-16-chars',
      },
    });
    expect((await ok(list, { t: tenant })).backends.map((b: { id: string }) => b.id)).toEqual([
      'hook',
      'narrow',
    ]);
    const removed = await ok(
      `mutation ($t: ID!, $p: ID!) { removeOcpiParty(tenantId: $t, ocpiPartyId: $p) { removed } }`,
      { t: tenant, p: 'emsp-c' },
    );
    expect(removed.removeOcpiParty.removed).toBe(true);
    // The party's backend went with it; the tenant's other backends stay.
    expect((await ok(list, { t: tenant })).backends.map((b: { id: string }) => b.id)).toEqual([
      'hook',
    ]);
    await ok(registerParty, { i: party });
    expect((await ok(list, { t: tenant })).backends.map((b: { id: string }) => b.id)).toEqual([
      'hook',
    ]);
  });

  it('opens no upstream for an OCPI backend: the gateway keeps serving its stations', async () => {
    await ok(REGISTER, {
      i: { tenantId: T, id: 'emsp-all', kind: 'OCPI', ocpiPartyId: 'emsp', match: {} },
    });
    const label = `backend="${T}/emsp-all"`;
    // Doppel answers the stations itself, before and after the gateways heard of the backend.
    for (const deviceId of ['cp-ac', 'cp-dc']) {
      const beat = await stations[deviceId]!.call('Heartbeat', {});
      expect(Date.parse(beat.currentTime)).not.toBeNaN();
      await status(deviceId, 'Available');
    }
    await expect
      .poll(held, {
        timeout: 60_000,
        interval: 1_000,
      })
      .toEqual({ 'bay-1': 'AVAILABLE', 'bay-2': 'AVAILABLE' });
    for (const deviceId of ['cp-ac', 'cp-dc'])
      expect(
        Date.parse((await stations[deviceId]!.call('Heartbeat', {})).currentTime),
      ).not.toBeNaN();
    // No link was opened, nothing buffered or delivered for it.
    const metrics = await (await fetch(stack.metricsUrl)).text();
    expect(metrics).toContain('doppel_gateway_');
    expect(metrics).not.toContain(label);
    await ok(REMOVE, { t: T, b: 'emsp-all' });
  }, 120_000);
});

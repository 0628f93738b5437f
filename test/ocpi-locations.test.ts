import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql, graphqlOk } from './support/graphql';
import { startOcpiEmsp, type OcpiEmsp } from './support/ocpi-emsp';
import { bootPayload, connectStation, type Station } from './support/ocpp-station';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

// Sites as OCPI Locations, pulled by an eMSP nobody here wrote (extrawest-ocpi): every page
// and object is checked with the library's pydantic models, and an EVSE's status is the live
// status of the real OCPP station bound to its asset.

let stack: TestStack;
let emsp: OcpiEmsp;
let station: Station;
let token: string;
let base: string;
const T = uniqueTenant('ocpi-loc');

const ok = (query: string, variables: Record<string, unknown>) =>
  graphqlOk(stack.apiUrl, query, variables);

const details = (city: string) => ({
  address: 'Stationsplein 1',
  city,
  postal_code: '1012AB',
  country: 'NLD',
  coordinates: { latitude: '52.37403', longitude: '4.88969' },
  time_zone: 'Europe/Amsterdam',
  parking_type: 'PARKING_LOT',
  opening_times: { twentyfourseven: true },
  energy_mix: { is_green_energy: true, supplier_name: 'Wind BV', energy_product_name: 'Wind 100' },
});

const SET = `mutation ($t: ID!, $s: ID!, $l: JSONObject!) {
  setOcpiLocation(tenantId: $t, siteId: $s, location: $l) { siteId publish } }`;

beforeAll(async () => {
  [stack, emsp] = await Promise.all([startTestStack(), startOcpiEmsp()]);
  base = stack.apiUrl.replace(/\/graphql$/, '');
  await ok('mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename } }', {
    i: { tenantId: T, customerId: 'cust', name: 'Charge Co' },
  });
  for (const siteId of ['loc-a', 'loc-b', 'loc-c'])
    await ok('mutation ($i: CreateSiteInput!) { createSite(input: $i) { __typename } }', {
      i: { tenantId: T, siteId, customerId: 'cust', name: `Site ${siteId}` },
    });
  await ok('mutation ($i: CreateAssetInput!) { createAsset(input: $i) { __typename } }', {
    i: { tenantId: T, assetId: 'bay-1', siteId: 'loc-a', name: 'Bay 1' },
  });
  const registered = await ok(
    'mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }',
    { i: { tenantId: T, deviceId: 'cp-1' } },
  );
  await ok('mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { __typename } }', {
    i: { tenantId: T, assetId: 'bay-1', deviceId: 'cp-1' },
  });
  for (const siteId of ['loc-a', 'loc-b', 'loc-c'])
    await ok(SET, { t: T, s: siteId, l: details(`City ${siteId}`) });
  station = await connectStation(
    stack.ocppUrl,
    'ocpp1.6',
    'cp-1',
    registered.registerDevice.token,
    T,
  );
  await station.call('BootNotification', bootPayload('ocpp1.6'));
  await station.call('StatusNotification', {
    connectorId: 1,
    status: 'Available',
    errorCode: 'NoError',
  });

  const { registerOcpiParty } = await ok(
    `mutation ($i: RegisterOcpiPartyInput!) { registerOcpiParty(input: $i) { tokenA versionsUrl } }`,
    { i: { tenantId: T, id: 'emsp', cpoCountryCode: 'NL', cpoPartyId: 'DOP', cpoName: 'Doppel' } },
  );
  token = (await emsp.register(registerOcpiParty.versionsUrl, registerOcpiParty.tokenA)).credentials
    .token;
}, 300_000);
afterAll(async () => {
  // The push workflow lives on in the suite's Temporal server: removing the party ends it, so it
  // does not retry against this eMSP, gone, for the rest of the suite.
  if (stack)
    await graphql(
      stack.apiUrl,
      'mutation ($t: ID!) { removeOcpiParty(tenantId: $t, ocpiPartyId: "emsp") { __typename } }',
      { t: T },
    );
  await station?.close({ code: 1000 });
  await emsp?.stop();
  await stack?.stop();
});

const url = (path = '') => `${base}/ocpi/cpo/2.2.1/locations${path}`;

describe('OCPI Locations', () => {
  it('serves the tenant’s sites page by page, each a valid Location with live EVSE status', async () => {
    const pulled = await emsp.pull(url('?limit=2'), token);
    expect(pulled.error).toBeUndefined();
    expect(pulled.pages.map((p) => [p.count, p.total, p.limit])).toEqual([
      [2, '3', '2'],
      [1, '3', '2'],
    ]);
    expect(pulled.pages[0]!.link).toMatch(/offset=2/);
    expect(pulled.pages[1]!.link).toBeNull();
    expect(pulled.pages[0]!.from_party).toBe('DOP');
    expect(pulled.objects.map((l) => l.id)).toEqual(['loc-a', 'loc-b', 'loc-c']);
    const [a] = pulled.objects;
    // CiString: the library keeps case-insensitive strings in lower case.
    expect(a).toMatchObject({
      party_id: 'dop',
      country: 'NLD',
      city: 'City loc-a',
      time_zone: 'Europe/Amsterdam',
      coordinates: { latitude: '52.37403', longitude: '4.88969' },
      opening_times: { twentyfourseven: true },
      energy_mix: { is_green_energy: true },
    });
    expect(a.evses).toHaveLength(1);
    expect(a.evses[0]).toMatchObject({ uid: 'bay-1', status: 'AVAILABLE' });
    expect(a.evses[0].connectors).toEqual([
      expect.objectContaining({ id: '1', standard: 'IEC_62196_T2', power_type: 'AC_3_PHASE' }),
    ]);
  });

  it('follows the station: a connector charging makes its EVSE CHARGING, a fault OUTOFORDER', async () => {
    const status = async () =>
      (await emsp.get(url('/loc-a/bay-1'), token, 'EVSE')).object?.status as string | undefined;
    await station.call('StatusNotification', {
      connectorId: 1,
      status: 'Charging',
      errorCode: 'NoError',
    });
    await expect.poll(status, { timeout: 30_000 }).toBe('CHARGING');
    await station.call('StatusNotification', {
      connectorId: 1,
      status: 'Faulted',
      errorCode: 'GroundFailure',
    });
    await expect.poll(status, { timeout: 30_000 }).toBe('OUTOFORDER');
  });

  it('reads one Location, EVSE or connector by id, and answers 2003 for an unknown one', async () => {
    const location = await emsp.get(url('/loc-b'), token, 'Location');
    expect(location.error).toBeUndefined();
    expect(location.object).toMatchObject({ id: 'loc-b', evses: [] });
    const connector = await emsp.get(url('/loc-a/bay-1/1'), token, 'Connector');
    expect(connector.object).toMatchObject({ id: '1', max_voltage: 400, max_amperage: 32 });
    for (const path of ['/nowhere', '/loc-a/bay-9', '/loc-a/bay-1/7']) {
      const missing = await emsp.get(url(path), token, 'Location');
      expect(missing.status, path).toBe(404);
      expect(missing.body.status_code, path).toBe(2003);
    }
    const window = await emsp.pull(url('?date_from=2999-01-01T00:00:00Z'), token);
    expect(window.error).toBeUndefined();
    expect(window.pages[0]).toMatchObject({ count: 0, total: '0' });
    const bad = await emsp.call('GET', url('?offset=-3'), token);
    expect(bad.status).toBe(400);
    expect(bad.body.status_code).toBe(2001);
  });

  it('pushes an EVSE’s new status to the connected eMSP within 60 s (PATCH, through Temporal)', async () => {
    // RESERVED was never pulled: only the push can bring it into the eMSP's copy, which the
    // library's own PATCH handler updates.
    const wakes = async () => {
      const push = stack.temporal.workflow.getHandle(`ocpi-push:${T}:emsp`);
      const { events } = await push.fetchHistory();
      return (events ?? []).filter(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'wakeOcpiPush',
      ).length;
    };
    const wokenBefore = await wakes();
    await station.call('StatusNotification', {
      connectorId: 1,
      status: 'Reserved',
      errorCode: 'NoError',
    });
    await expect
      .poll(async () => (await emsp.state()).locations['loc-a'], {
        timeout: 60_000,
        interval: 1_000,
      })
      .toEqual([['bay-1', 'RESERVED']]);
    const patched = (await emsp.state()).log.filter((entry) => entry.patched === 'loc-a');
    expect(patched.length).toBeGreaterThan(0);
    // The tenant's commit woke the push (outbox NOTIFY → the worker's waker → a signal).
    await expect.poll(wakes, { timeout: 30_000 }).toBeGreaterThan(wokenBefore);
  });

  it('PUTs the whole Location to an eMSP that does not know it, when a PATCH is answered 404', async () => {
    // The eMSP forgets loc-a, as one that never pulled: the library answers the status PATCH
    // 404, and the push sends the Location, which the library's PUT handler checks and stores.
    expect(await emsp.forget('loc-a')).toEqual({ forgotten: true });
    await station.call('StatusNotification', {
      connectorId: 1,
      status: 'Available',
      errorCode: 'NoError',
    });
    await expect
      .poll(async () => (await emsp.state()).location_objects['loc-a'], {
        timeout: 60_000,
        interval: 1_000,
      })
      .toMatchObject({
        id: 'loc-a',
        city: 'City loc-a',
        address: 'Stationsplein 1',
        evses: [expect.objectContaining({ uid: 'bay-1', status: 'AVAILABLE' })],
      });
    const { log } = await emsp.state();
    expect(log).toContainEqual({ put: 'loc-a', evses: [['bay-1', 'AVAILABLE']] });
    // The round succeeded: a later change is PATCHed into the copy the PUT made.
    await station.call('StatusNotification', {
      connectorId: 1,
      status: 'Reserved',
      errorCode: 'NoError',
    });
    await expect
      .poll(async () => (await emsp.state()).locations['loc-a'], {
        timeout: 60_000,
        interval: 1_000,
      })
      .toEqual([['bay-1', 'RESERVED']]);
  });

  it('starts a session on the real station with START_SESSION, answered at once and then with the result', async () => {
    const received: Array<{ method: string; params: any }> = [];
    station.handle(({ method, params }) => {
      received.push({ method, params });
      return { status: 'Accepted' };
    });
    const commands = `${base}/ocpi/cpo/2.2.1/commands`;
    const driver = {
      country_code: 'DE',
      party_id: 'EXW',
      uid: 'TOKEN-0001',
      type: 'APP_USER',
      contract_id: 'DE-EXW-C00000001',
      issuer: 'Extrawest',
      valid: true,
      whitelist: 'ALLOWED',
      last_updated: new Date().toISOString(),
    };
    const started = await emsp.command(commands, token, 'START_SESSION', {
      token: driver,
      location_id: 'loc-a',
      evse_uid: 'bay-1',
      connector_id: '1',
    });
    expect(started.error).toBeUndefined();
    expect(started.response).toMatchObject({ result: 'ACCEPTED', timeout: 60 });
    await expect
      .poll(() => received.map((r) => r.method), { timeout: 30_000 })
      .toContain('RemoteStartTransaction');
    expect(received.find((r) => r.method === 'RemoteStartTransaction')!.params).toEqual({
      connectorId: 1,
      // The library sends the token uid (a CiString) in lower case.
      idTag: 'token-0001',
    });
    await expect
      .poll(async () => (await emsp.state()).command_results[started.uid], { timeout: 30_000 })
      .toEqual(expect.objectContaining({ result: 'ACCEPTED' }));

    const unlock = await emsp.command(commands, token, 'UNLOCK_CONNECTOR', {
      location_id: 'loc-a',
      evse_uid: 'bay-1',
      connector_id: '1',
    });
    expect(unlock.response).toMatchObject({ result: 'ACCEPTED' });
    await expect
      .poll(async () => (await emsp.state()).command_results[unlock.uid], { timeout: 30_000 })
      .toEqual(expect.objectContaining({ result: 'ACCEPTED' }));

    const elsewhere = await emsp.command(commands, token, 'START_SESSION', {
      token: driver,
      location_id: 'loc-b',
    });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.status_code).toBe(2003);
    const unknown = await emsp.command(commands, token, 'CANCEL_RESERVATION', {
      reservation_id: 'r-1',
    });
    expect(unknown.response).toMatchObject({ result: 'REJECTED' });
  });

  it('publishes tariffs (AFIR alternative text and URL) and names them on the EVSEs they apply to', async () => {
    const SET_TARIFF = `mutation ($t: ID!, $id: ID!, $tariff: JSONObject!, $s: [ID!]) {
      setOcpiTariff(tenantId: $t, tariffId: $id, tariff: $tariff, siteIds: $s) { tariffId siteIds } }`;
    const tariff = {
      currency: 'EUR',
      type: 'REGULAR',
      tariff_alt_text: [{ language: 'en', text: '0.39 EUR/kWh' }],
      tariff_alt_url: 'https://charge.example.com/tariffs/ac',
      elements: [{ price_components: [{ type: 'ENERGY', price: 0.39, vat: 21, step_size: 1 }] }],
    };
    await ok(SET_TARIFF, { t: T, id: 'ac-std', tariff, s: ['loc-a'] });
    const pulled = await emsp.pull(`${base}/ocpi/cpo/2.2.1/tariffs`, token, 'Tariff');
    expect(pulled.error).toBeUndefined();
    expect(pulled.objects).toEqual([
      expect.objectContaining({
        id: 'ac-std',
        currency: 'EUR',
        elements: [
          expect.objectContaining({ price_components: [expect.objectContaining({ price: 0.39 })] }),
        ],
      }),
    ]);
    const connector = await emsp.get(url('/loc-a/bay-1/1'), token, 'Connector');
    expect(connector.object?.tariff_ids).toEqual(['ac-std']);
    const bad = await graphql(stack.apiUrl, SET_TARIFF, {
      t: T,
      id: 'bad',
      tariff: { currency: 'euro', elements: [] },
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('ocpi:input.invalid');
    expect(bad.errors?.[0]?.message).toMatch(/currency/);
    expect(bad.errors?.[0]?.message).toMatch(/elements/);
  });

  it('PUTs a Location that changed to the eMSP within 60 s: its address, a new asset, unpublishing', async () => {
    const held = async () => (await emsp.state()).location_objects['loc-b'];
    const poll = { timeout: 60_000, interval: 1_000 };
    // A changed address: the library's PUT handler checks the whole Location and stores it.
    await ok(SET, { t: T, s: 'loc-b', l: { ...details('Haarlem'), address: 'Kruisweg 9' } });
    await expect
      .poll(held, poll)
      .toMatchObject({ id: 'loc-b', city: 'Haarlem', address: 'Kruisweg 9', evses: [] });
    // A new asset at the published site is a new EVSE (no station yet: UNKNOWN).
    await ok('mutation ($i: CreateAssetInput!) { createAsset(input: $i) { __typename } }', {
      i: { tenantId: T, assetId: 'bay-9', siteId: 'loc-b', name: 'Bay 9' },
    });
    await expect
      .poll(async () => (await held())?.evses?.map((e: any) => [e.uid, e.status]), poll)
      .toEqual([['bay-9', 'UNKNOWN']]);
    // Unpublished: sent once more, every EVSE REMOVED, as OCPI asks.
    await ok(
      `mutation ($t: ID!, $s: ID!, $l: JSONObject!) {
        setOcpiLocation(tenantId: $t, siteId: $s, location: $l, publish: false) { siteId } }`,
      { t: T, s: 'loc-b', l: { ...details('Haarlem'), address: 'Kruisweg 9' } },
    );
    await expect
      .poll(async () => (await held())?.evses?.map((e: any) => [e.uid, e.status]), poll)
      .toEqual([['bay-9', 'REMOVED']]);
    const puts = (await emsp.state()).log.filter(
      (entry) => entry.put === 'loc-b' || entry.patched === 'loc-b',
    );
    expect(puts.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses bad location details with reasons, and a site that does not exist', async () => {
    const bad = await graphql(stack.apiUrl, SET, {
      t: T,
      s: 'loc-a',
      l: { ...details('x'), country: 'NL', coordinates: { latitude: 52, longitude: '4.8' } },
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('ocpi:input.invalid');
    expect(bad.errors?.[0]?.message).toMatch(/country/);
    expect(bad.errors?.[0]?.message).toMatch(/coordinates\.latitude/);
    const missing = await graphql(stack.apiUrl, SET, { t: T, s: 'loc-zz', l: details('x') });
    expect(missing.errors?.[0]?.extensions?.code).toBe('ocpi:site.not-found');
  });
});

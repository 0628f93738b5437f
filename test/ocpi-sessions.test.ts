import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ocpiSessionParty } from '../db/ocpi-session-party';
import { ocpiTokenByUid } from '../db/ocpi-token-store';
import { graphql, graphqlOk } from './support/graphql';
import { OCMF_VECTORS as V } from './support/ocmf-vectors';
import { startOcpiEmsp, type OcpiEmsp } from './support/ocpi-emsp';
import { bootPayload, connectStation, type Station } from './support/ocpp-station';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

// OCPI Sessions and CDRs, as an eMSP nobody here wrote (extrawest-ocpi) receives and pulls
// them: it starts a session with START_SESSION on a real OCPP 1.6 station whose meter has a
// registered OCMF key; the station charges with signed meter values and stops; the eMSP's own
// Sessions and CDRs receivers (the library's routers and pydantic models) take what Doppel
// pushes, and a second eMSP of the same tenant sees none of it.

let stack: TestStack;
let emsp: OcpiEmsp;
let other: OcpiEmsp;
let station: Station;
let token: string;
let otherToken: string;
let base: string;
const T = uniqueTenant('ocpi-ses');
const received: Array<{ method: string; params: any }> = [];

const ok = (query: string, variables: Record<string, unknown>) =>
  graphqlOk(stack.apiUrl, query, variables);

async function register(id: string, to: OcpiEmsp): Promise<string> {
  const { registerOcpiParty } = await ok(
    `mutation ($i: RegisterOcpiPartyInput!) { registerOcpiParty(input: $i) { tokenA versionsUrl } }`,
    { i: { tenantId: T, id, cpoCountryCode: 'NL', cpoPartyId: 'DOP', cpoName: 'Doppel' } },
  );
  return (await to.register(registerOcpiParty.versionsUrl, registerOcpiParty.tokenA)).credentials
    .token;
}

beforeAll(async () => {
  [stack, emsp, other] = await Promise.all([startTestStack(), startOcpiEmsp(), startOcpiEmsp()]);
  base = stack.apiUrl.replace(/\/graphql$/, '');
  await ok('mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename } }', {
    i: { tenantId: T, customerId: 'cust', name: 'Charge Co' },
  });
  await ok('mutation ($i: CreateSiteInput!) { createSite(input: $i) { __typename } }', {
    i: { tenantId: T, siteId: 'loc-a', customerId: 'cust', name: 'Depot A' },
  });
  await ok('mutation ($i: CreateAssetInput!) { createAsset(input: $i) { __typename } }', {
    i: {
      tenantId: T,
      assetId: 'bay-1',
      siteId: 'loc-a',
      name: 'Bay 1',
      attributes: { evseId: 'NL*DOP*E0001' },
    },
  });
  const registered = await ok(
    'mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }',
    { i: { tenantId: T, deviceId: 'cp-1' } },
  );
  await ok('mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { __typename } }', {
    i: { tenantId: T, assetId: 'bay-1', deviceId: 'cp-1' },
  });
  await ok(
    `mutation ($t: ID!, $s: ID!, $l: JSONObject!) { setOcpiLocation(tenantId: $t, siteId: $s, location: $l) { siteId } }`,
    {
      t: T,
      s: 'loc-a',
      l: {
        address: 'Stationsplein 1',
        city: 'Amsterdam',
        postal_code: '1012AB',
        country: 'NLD',
        coordinates: { latitude: '52.37403', longitude: '4.88969' },
        time_zone: 'Europe/Amsterdam',
      },
    },
  );
  await ok(
    `mutation ($t: ID!, $id: ID!, $tariff: JSONObject!, $s: [ID!]) {
      setOcpiTariff(tenantId: $t, tariffId: $id, tariff: $tariff, siteIds: $s) { tariffId } }`,
    {
      t: T,
      id: 'ac-std',
      s: ['loc-a'],
      tariff: {
        currency: 'EUR',
        elements: [
          {
            price_components: [
              { type: 'ENERGY', price: 0.39, vat: 21, step_size: 1 },
              { type: 'FLAT', price: 0.5, vat: 21, step_size: 1 },
            ],
          },
        ],
      },
    },
  );
  // The meter's public key, as commissioned: the CDR's signed_data carries this one.
  await ok(`mutation ($i: SetMeterPublicKeyInput!) { setMeterPublicKey(input: $i) { deviceId } }`, {
    i: { tenantId: T, deviceId: 'cp-1', publicKey: V.secp256r1.key },
  });
  station = await connectStation(
    stack.ocppUrl,
    'ocpp1.6',
    'cp-1',
    registered.registerDevice.token,
    T,
  );
  station.handle(({ method, params }) => {
    received.push({ method, params });
    return { status: 'Accepted' };
  });
  await station.call('BootNotification', bootPayload('ocpp1.6'));
  await station.call('StatusNotification', {
    connectorId: 1,
    status: 'Available',
    errorCode: 'NoError',
  });
  token = await register('emsp', emsp);
  otherToken = await register('emsp-2', other);
}, 300_000);

afterAll(async () => {
  // The parties' workflows live on in the suite's Temporal server: removing them ends them.
  if (stack)
    for (const id of ['emsp', 'emsp-2'])
      await graphql(
        stack.apiUrl,
        'mutation ($t: ID!, $p: ID!) { removeOcpiParty(tenantId: $t, ocpiPartyId: $p) { __typename } }',
        { t: T, p: id },
      );
  await station?.close({ code: 1000 });
  await emsp?.stop();
  await other?.stop();
  await stack?.stop();
});

const url = (module: string) => `${base}/ocpi/cpo/2.2.1/${module}`;
const signed = (value: string, context: string, at: string) => [
  { timestamp: at, sampledValue: [{ value, format: 'SignedData', context }] },
];
const energy = (wh: number, at: string) => [
  { timestamp: at, sampledValue: [{ value: String(wh), unit: 'Wh' }] },
];

describe('OCPI Sessions and CDRs', () => {
  let sessionId = '';

  it('pushes the session START_SESSION started to its eMSP (PUT), then its energy (PATCH)', async () => {
    const started = await emsp.command(url('commands'), token, 'START_SESSION', {
      token: {
        country_code: 'DE',
        party_id: 'EXW',
        uid: 'TOKEN-0001',
        type: 'APP_USER',
        contract_id: 'DE-EXW-C00000001',
        issuer: 'Extrawest',
        valid: true,
        whitelist: 'ALLOWED',
        last_updated: new Date().toISOString(),
      },
      location_id: 'loc-a',
      evse_uid: 'bay-1',
      connector_id: '1',
      authorization_reference: 'AUTH-REF-1',
    });
    expect(started.response).toMatchObject({ result: 'ACCEPTED' });
    await expect
      .poll(() => received.find((r) => r.method === 'RemoteStartTransaction')?.params, {
        timeout: 30_000,
      })
      .toEqual({ connectorId: 1, idTag: 'token-0001' });

    // The station does what the remote start asked: a transaction for that idTag.
    const t0 = Date.now() - 60 * 60_000;
    const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();
    const { transactionId } = await station.call('StartTransaction', {
      connectorId: 1,
      idTag: 'token-0001',
      meterStart: 1000,
      timestamp: at(0),
    });
    sessionId = String(transactionId);
    await station.call('MeterValues', {
      connectorId: 1,
      transactionId,
      meterValue: signed(V.secp256r1.valid, 'Transaction.Begin', at(0)),
    });
    await expect
      .poll(async () => (await emsp.state()).sessions[sessionId], { timeout: 60_000 })
      .toMatchObject({
        id: sessionId,
        party_id: 'dop',
        status: 'ACTIVE',
        kwh: 0,
        location_id: 'loc-a',
        evse_uid: 'bay-1',
        connector_id: '1',
        currency: 'EUR',
        auth_method: 'COMMAND',
        authorization_reference: 'auth-ref-1',
        cdr_token: { uid: 'token-0001', type: 'APP_USER', contract_id: 'de-exw-c00000001' },
      });

    // Only the eMSP whose session it is may stop it: the other one is refused, without a call.
    const calls = received.length;
    const foreign = await other.command(url('commands'), otherToken, 'STOP_SESSION', {
      session_id: sessionId,
    });
    expect(foreign.response).toMatchObject({
      result: 'REJECTED',
      message: [expect.objectContaining({ text: expect.stringMatching(/not one of this eMSP/) })],
    });
    expect(received.length).toBe(calls);

    await station.call('MeterValues', {
      connectorId: 1,
      transactionId,
      meterValue: energy(2500, at(20)),
    });
    await expect
      .poll(async () => (await emsp.state()).sessions[sessionId]?.kwh, { timeout: 60_000 })
      .toBe(1.5);
    const log = (await emsp.state()).log.filter((e) => e.session === sessionId);
    expect(log[0]).toMatchObject({ method: 'PUT', status: 'ACTIVE' });
    expect(log.at(-1)).toMatchObject({ method: 'update', kwh: 1.5 });
  }, 150_000);

  it('completes the session and POSTs the CDR with the signed meter values and the registered key', async () => {
    const transactionId = Number(sessionId);
    const end = new Date().toISOString();
    await station.call('MeterValues', {
      connectorId: 1,
      transactionId,
      meterValue: energy(6000, new Date(Date.now() - 30 * 60_000).toISOString()),
    });
    // The eMSP is down when the session ends: the push retries (with back-off) until it is back.
    await emsp.refuse(true);
    expect(
      await station.call('StopTransaction', {
        transactionId,
        meterStop: 9000,
        timestamp: end,
        transactionData: signed(V.secp256r1.valid, 'Transaction.End', end),
      }),
    ).toEqual({ idTagInfo: { status: 'Accepted' } });

    await expect
      .poll(async () => (await emsp.state()).log.some((e) => e.refused), { timeout: 60_000 })
      .toBe(true);
    expect((await emsp.state()).sessions[sessionId]).toMatchObject({ status: 'ACTIVE' });
    await emsp.refuse(false);
    await expect
      .poll(async () => (await emsp.state()).sessions[sessionId], { timeout: 60_000 })
      .toMatchObject({ status: 'COMPLETED', kwh: 8 });
    await expect
      .poll(async () => (await emsp.state()).cdrs[sessionId], { timeout: 60_000 })
      .toBeDefined();
    const cdr = (await emsp.state()).cdrs[sessionId];
    const key = Buffer.from(V.secp256r1.key, 'hex').toString('base64');
    expect(cdr).toMatchObject({
      id: sessionId,
      session_id: sessionId,
      party_id: 'dop',
      auth_method: 'COMMAND',
      cdr_token: { uid: 'token-0001' },
      cdr_location: {
        id: 'loc-a',
        address: 'Stationsplein 1',
        country: 'NLD',
        evse_id: 'nl*dop*e0001',
        connector_id: '1',
        connector_standard: 'IEC_62196_T2',
      },
      currency: 'EUR',
      total_energy: 8,
      // 8 kWh at 0.39 and 0.50 once, 21 % VAT.
      total_cost: { excl_vat: 3.62, incl_vat: 4.38 },
      total_energy_cost: { excl_vat: 3.12 },
      total_fixed_cost: { excl_vat: 0.5 },
      tariffs: [expect.objectContaining({ id: 'ac-std' })],
      remark: 'OCMF signatures: VALID',
      meter_id: '1234567',
      signed_data: {
        encoding_method: 'ocmf',
        public_key: key,
        signed_values: [
          {
            nature: 'start',
            signed_data: Buffer.from(V.secp256r1.valid).toString('base64'),
            plain_data: expect.stringContaining('"GS":"1234567"'),
          },
          {
            nature: 'end',
            signed_data: Buffer.from(V.secp256r1.valid).toString('base64'),
            plain_data: expect.stringContaining('"TX":"E"'),
          },
        ],
      },
    });
    // Charging periods from the meter values: 1000 → 2500 → 6000 → 9000 Wh.
    expect(
      cdr.charging_periods.map(
        (p: any) => p.dimensions.find((d: any) => d.type === 'ENERGY').volume,
      ),
    ).toEqual([1.5, 3.5, 3]);
    expect(cdr.total_time).toBeCloseTo(1, 1);
    // The eMSP's Location header for the CDR is kept.
    const [sent] = await stack.database.sql<{ cdr_location: string | null }[]>`
      select cdr_location from ocpi_sessions where tenant_id = ${T} and session_id = ${transactionId}`;
    // (py_ocpi spells its module and version oddly in it, but it ends in the CDR id.)
    expect(sent?.cdr_location).toMatch(new RegExp(`cdrs/${sessionId}$`));
  }, 150_000);

  it('lets the eMSP pull its own sessions and CDRs, and another eMSP of the tenant none of them', async () => {
    const sessions = await emsp.pull(url('sessions'), token, 'Session');
    expect(sessions.error).toBeUndefined();
    expect(sessions.objects).toEqual([
      expect.objectContaining({ id: sessionId, status: 'COMPLETED', kwh: 8 }),
    ]);
    expect(sessions.pages[0]).toMatchObject({ total: '1', from_party: 'DOP' });
    const cdrs = await emsp.pull(url('cdrs'), token, 'Cdr');
    expect(cdrs.error).toBeUndefined();
    expect(cdrs.objects).toEqual([
      expect.objectContaining({
        id: sessionId,
        signed_data: expect.objectContaining({ public_key: expect.any(String) }),
      }),
    ]);
    const none = await emsp.pull(url('sessions?date_from=2999-01-01T00:00:00Z'), token, 'Session');
    expect(none.pages[0]).toMatchObject({ count: 0, total: '0' });
    const past = await emsp.pull(url('cdrs?offset=5'), token, 'Cdr');
    expect(past.pages[0]).toMatchObject({ count: 0, total: '1', link: null });

    for (const module of ['sessions', 'cdrs'] as const) {
      const theirs = await other.pull(
        url(module),
        otherToken,
        module === 'sessions' ? 'Session' : 'Cdr',
      );
      expect(theirs.error).toBeUndefined();
      expect(theirs.objects).toEqual([]);
    }
    const state = await other.state();
    expect(state.sessions).toEqual({});
    expect(state.cdrs).toEqual({});
  });

  it('gives a session no eMSP started (a local idTag) to nobody, and refuses bad requests', async () => {
    const { transactionId } = await station.call('StartTransaction', {
      connectorId: 1,
      idTag: 'LOCAL-CARD',
      meterStart: 9000,
      timestamp: new Date().toISOString(),
    });
    const openedAt = async (id: number) => {
      const [row] = await stack.database.sql<{ created_at: Date }[]>`
        select created_at from charging_sessions where tenant_id = ${T} and id = ${id}`;
      return new Date(row!.created_at);
    };
    const owner = async (idTag: string, id: number) =>
      ocpiSessionParty(stack.database, T, {
        deviceId: 'cp-1',
        idTag,
        openedAt: await openedAt(id),
      });
    expect(await owner('LOCAL-CARD', transactionId)).toBeNull();
    // The remote one was the eMSP's: opened with its token, within its START_SESSION's lifetime.
    expect(await owner('token-0001', Number(sessionId))).toMatchObject({
      partyId: 'emsp',
      via: 'start-session',
      authorizationReference: 'auth-ref-1',
    });
    await station.call('StopTransaction', {
      transactionId,
      meterStop: 9500,
      timestamp: new Date().toISOString(),
    });
    const pulled = await emsp.pull(url('sessions'), token, 'Session');
    expect(pulled.objects.map((s) => s.id)).toEqual([sessionId]);
    const bad = await emsp.call('GET', url('cdrs?limit=x'), token);
    expect(bad.status).toBe(400);
    expect(bad.body.status_code).toBe(2001);
    const wrong = await emsp.call('POST', url('sessions'), token, {});
    expect(wrong.status).toBe(405);
  });

  it('does the same for an OCPP 2.0.1 station: RequestStartTransaction, TransactionEvents, a CDR with its Base64 OCMF', async () => {
    await ok('mutation ($i: CreateAssetInput!) { createAsset(input: $i) { __typename } }', {
      i: { tenantId: T, assetId: 'bay-2', siteId: 'loc-a', name: 'Bay 2' },
    });
    const registered = await ok(
      'mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }',
      { i: { tenantId: T, deviceId: 'cp-2' } },
    );
    await ok('mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { __typename } }', {
      i: { tenantId: T, assetId: 'bay-2', deviceId: 'cp-2' },
    });
    await ok(
      `mutation ($i: SetMeterPublicKeyInput!) { setMeterPublicKey(input: $i) { deviceId } }`,
      { i: { tenantId: T, deviceId: 'cp-2', publicKey: V.brainpool256r1.key } },
    );
    const cp = await connectStation(
      stack.ocppUrl,
      'ocpp2.0.1',
      'cp-2',
      registered.registerDevice.token,
      T,
    );
    const calls: Array<{ method: string; params: any }> = [];
    cp.handle(({ method, params }) => {
      calls.push({ method, params });
      return { status: 'Accepted' };
    });
    try {
      await cp.call('BootNotification', bootPayload('ocpp2.0.1'));
      const started = await emsp.command(url('commands'), token, 'START_SESSION', {
        token: {
          country_code: 'DE',
          party_id: 'EXW',
          uid: 'TOKEN-0002',
          type: 'RFID',
          contract_id: 'DE-EXW-C00000002',
          issuer: 'Extrawest',
          valid: true,
          whitelist: 'ALLOWED',
          last_updated: new Date().toISOString(),
        },
        location_id: 'loc-a',
        evse_uid: 'bay-2',
        connector_id: '1',
      });
      expect(started.response).toMatchObject({ result: 'ACCEPTED' });
      await expect
        .poll(() => calls.find((c) => c.method === 'RequestStartTransaction')?.params, {
          timeout: 30_000,
        })
        .toMatchObject({ evseId: 1, idToken: { idToken: 'token-0002', type: 'Central' } });

      const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
      const t0 = Date.now() - 30 * 60_000;
      const transactionId = `tx-${Math.random().toString(36).slice(2, 10)}`;
      const event = (seqNo: number, eventType: string, wh: number, signedData?: string) => ({
        eventType,
        timestamp: new Date(t0 + seqNo * 10 * 60_000).toISOString(),
        triggerReason: eventType === 'Ended' ? 'EVDeparted' : 'RemoteStart',
        seqNo,
        transactionInfo: { transactionId },
        ...(seqNo === 0
          ? { evse: { id: 1, connectorId: 1 }, idToken: { idToken: 'token-0002', type: 'Central' } }
          : {}),
        meterValue: [
          {
            timestamp: new Date(t0 + seqNo * 10 * 60_000).toISOString(),
            sampledValue: [
              {
                value: wh,
                ...(signedData
                  ? {
                      context: eventType === 'Ended' ? 'Transaction.End' : 'Transaction.Begin',
                      signedMeterValue: {
                        signedMeterData: signedData,
                        signingMethod: '',
                        encodingMethod: 'OCMF',
                        publicKey: '',
                      },
                    }
                  : {}),
              },
            ],
          },
        ],
      });
      await cp.call('TransactionEvent', event(0, 'Started', 1000, b64(V.brainpool256r1.valid)));
      await cp.call('TransactionEvent', event(1, 'Updated', 3000));
      await cp.call('TransactionEvent', event(2, 'Ended', 5000, b64(V.brainpool256r1.valid)));

      const ofToken = (all: Record<string, any>) =>
        Object.values(all).find((o) => o.cdr_token.uid === 'token-0002');
      await expect
        .poll(async () => ofToken((await emsp.state()).cdrs), { timeout: 60_000 })
        .toBeDefined();
      const state = await emsp.state();
      const cdr = ofToken(state.cdrs);
      expect(ofToken(state.sessions)).toMatchObject({
        id: cdr.id,
        status: 'COMPLETED',
        kwh: 4,
        evse_uid: 'bay-2',
      });
      const [session] = await stack.database.sql<{ id: number }[]>`
        select id from charging_sessions where tenant_id = ${T} and transaction_id = ${transactionId}`;
      expect(cdr).toMatchObject({
        id: String(session!.id),
        total_energy: 4,
        remark: 'OCMF signatures: VALID',
        cdr_location: { evse_id: 'bay-2' },
        signed_data: {
          public_key: Buffer.from(V.brainpool256r1.key, 'hex').toString('base64'),
          // The values stay as the station sent them: Base64 already.
          signed_values: [
            { nature: 'start', signed_data: b64(V.brainpool256r1.valid) },
            { nature: 'end', signed_data: b64(V.brainpool256r1.valid) },
          ],
        },
      });
      expect(
        cdr.charging_periods.map(
          (p: any) => p.dimensions.find((d: any) => d.type === 'ENERGY').volume,
        ),
      ).toEqual([2, 2]);
      const theirs = await other.pull(url('cdrs'), otherToken, 'Cdr');
      expect(theirs.objects).toEqual([]);
    } finally {
      await cp.close({ code: 1000 });
    }
  }, 150_000);
  it('gives a session charged with a token the eMSP pushed (a roaming card, no START_SESSION) to that eMSP, CDR included', async () => {
    const put = await emsp.token(
      {
        country_code: 'DE',
        party_id: 'EXW',
        uid: 'ROAM-CARD-1',
        type: 'RFID',
        contract_id: 'DE-EXW-C00000003',
        issuer: 'Extrawest',
        valid: true,
        whitelist: 'ALWAYS',
        last_updated: new Date().toISOString(),
      },
      { url: url('tokens'), auth: token },
    );
    expect(put.status).toBe(200);
    // The card at the station: authorised from the cache, charged, stopped.
    expect(await station.call('Authorize', { idTag: 'ROAM-CARD-1' })).toEqual({
      idTagInfo: { status: 'Accepted' },
    });
    const begin = new Date(Date.now() - 20 * 60_000).toISOString();
    const { transactionId } = await station.call('StartTransaction', {
      connectorId: 1,
      idTag: 'ROAM-CARD-1',
      meterStart: 10_000,
      timestamp: begin,
    });
    await station.call('StopTransaction', {
      transactionId,
      meterStop: 12_000,
      timestamp: new Date().toISOString(),
    });
    const id = String(transactionId);
    await expect
      .poll(async () => (await emsp.state()).cdrs[id], { timeout: 60_000 })
      .toMatchObject({
        id,
        auth_method: 'WHITELIST',
        cdr_token: { uid: 'roam-card-1', contract_id: 'de-exw-c00000003' },
        total_energy: 2,
      });
    expect((await emsp.state()).sessions[id]).toMatchObject({ status: 'COMPLETED', kwh: 2 });
    // Only to it: the tenant's other eMSP holds no such token and gets nothing.
    expect((await other.state()).cdrs[id]).toBeUndefined();
    expect((await other.pull(url('sessions'), otherToken, 'Session')).objects).toEqual([]);
  }, 150_000);

  it('gives a session the eMSP allowed in real time (a card it never pushed) to that eMSP, with its authorization_reference', async () => {
    // The eMSP knows the card but never pushed it; it allows it only when asked, each time.
    await emsp.token(
      {
        country_code: 'DE',
        party_id: 'EXW',
        uid: 'LIVE-CARD-1',
        type: 'RFID',
        contract_id: 'DE-EXW-C00000004',
        issuer: 'Extrawest',
        valid: true,
        whitelist: 'NEVER',
        last_updated: new Date().toISOString(),
      },
      { reference: 'LIVE-REF-1' },
    );
    expect(await ocpiTokenByUid(stack.database, T, 'LIVE-CARD-1')).toBeNull();
    const asked = async () =>
      (await emsp.state()).authorized.filter((uid) => uid === 'live-card-1').length;
    expect(await station.call('Authorize', { idTag: 'LIVE-CARD-1' })).toEqual({
      idTagInfo: { status: 'Accepted' },
    });
    expect(await asked()).toBe(1);
    // Its AuthorizationInfo's Token is cached for it, behind the station's answer.
    await expect
      .poll(() => ocpiTokenByUid(stack.database, T, 'LIVE-CARD-1'), { timeout: 30_000 })
      .toMatchObject({ ocpiPartyId: 'emsp', token: { uid: 'live-card-1', whitelist: 'NEVER' } });
    // Whitelist NEVER: cached, yet asked again in real time for the StartTransaction.
    const begin = new Date(Date.now() - 10 * 60_000).toISOString();
    const { transactionId, idTagInfo } = await station.call('StartTransaction', {
      connectorId: 1,
      idTag: 'LIVE-CARD-1',
      meterStart: 20_000,
      timestamp: begin,
    });
    expect(idTagInfo).toEqual({ status: 'Accepted' });
    expect(await asked()).toBe(2);
    await station.call('StopTransaction', {
      transactionId,
      meterStop: 23_000,
      timestamp: new Date().toISOString(),
    });
    const id = String(transactionId);
    await expect
      .poll(async () => (await emsp.state()).cdrs[id], { timeout: 60_000 })
      .toMatchObject({
        id,
        auth_method: 'AUTH_REQUEST',
        authorization_reference: 'live-ref-1',
        cdr_token: { uid: 'live-card-1', contract_id: 'de-exw-c00000004' },
        total_energy: 3,
      });
    expect((await emsp.state()).sessions[id]).toMatchObject({
      status: 'COMPLETED',
      auth_method: 'AUTH_REQUEST',
      authorization_reference: 'live-ref-1',
      kwh: 3,
    });
    const [opened] = await stack.database.sql<{ created_at: Date }[]>`
      select created_at from charging_sessions where tenant_id = ${T} and id = ${transactionId}`;
    expect(
      await ocpiSessionParty(stack.database, T, {
        deviceId: 'cp-1',
        idTag: 'LIVE-CARD-1',
        openedAt: new Date(opened!.created_at),
      }),
    ).toMatchObject({ partyId: 'emsp', via: 'authorize', authorizationReference: 'live-ref-1' });
    // The tenant's other eMSP, asked too, does not know the card: it gets nothing of it.
    expect((await other.state()).authorized).not.toContain('live-card-1');
    expect((await other.state()).cdrs[id]).toBeUndefined();
    expect((await other.pull(url('sessions'), otherToken, 'Session')).objects).toEqual([]);
  }, 150_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql, graphqlOk } from './support/graphql';
import { startOcpiEmsp, type OcpiEmsp } from './support/ocpi-emsp';
import {
  bootPayload,
  connectStation,
  type OcppVersion,
  type Station,
} from './support/ocpp-station';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

// OCPI commands from an eMSP nobody here wrote (extrawest-ocpi builds each command with its own
// model and checks Doppel's CommandResponse, and its command-result receiver checks the
// CommandResult) to real OCPP 1.6 and 2.0.1 stations, which answer as the test tells them.

let stack: TestStack;
let emsp: OcpiEmsp;
let token: string;
let commands: string;
const T = uniqueTenant('ocpi-cmd');

/** A station at the Location, its own EVSE (asset), recording the calls it receives. */
interface Bay {
  readonly version: OcppVersion;
  readonly evse: string;
  readonly station: Station;
  readonly received: Array<{ method: string; params: any }>;
  /** What the station answers, per action (by default `Accepted`). */
  readonly answers: Record<string, Record<string, unknown>>;
}
const bays = {} as Record<OcppVersion, Bay>;
/** The OCPI session ids the START/STOP tests used, per station version. */
const sessionIds = {} as Record<OcppVersion, string>;

const ok = (query: string, variables: Record<string, unknown>) =>
  graphqlOk(stack.apiUrl, query, variables);

const driver = () => ({
  country_code: 'DE',
  party_id: 'EXW',
  uid: 'TOKEN-0042',
  type: 'APP_USER',
  contract_id: 'DE-EXW-C00000042',
  issuer: 'Extrawest',
  valid: true,
  whitelist: 'ALLOWED',
  last_updated: new Date().toISOString(),
});

async function bay(version: OcppVersion): Promise<Bay> {
  const suffix = version === 'ocpp1.6' ? '16' : '201';
  const evse = `bay-${suffix}`;
  await ok('mutation ($i: CreateAssetInput!) { createAsset(input: $i) { __typename } }', {
    i: { tenantId: T, assetId: evse, siteId: 'depot', name: `Bay ${suffix}` },
  });
  const registered = await ok(
    'mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }',
    { i: { tenantId: T, deviceId: `cp-${suffix}` } },
  );
  await ok('mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { __typename } }', {
    i: { tenantId: T, assetId: evse, deviceId: `cp-${suffix}` },
  });
  const station = await connectStation(
    stack.ocppUrl,
    version,
    `cp-${suffix}`,
    registered.registerDevice.token,
    T,
  );
  await station.call('BootNotification', bootPayload(version));
  const b: Bay = { version, evse, station, received: [], answers: {} };
  station.handle(({ method, params }) => {
    b.received.push({ method, params });
    return b.answers[method] ?? { status: 'Accepted' };
  });
  return b;
}

beforeAll(async () => {
  [stack, emsp] = await Promise.all([startTestStack(), startOcpiEmsp()]);
  const base = stack.apiUrl.replace(/\/graphql$/, '');
  commands = `${base}/ocpi/cpo/2.2.1/commands`;
  await ok('mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename } }', {
    i: { tenantId: T, customerId: 'cust', name: 'Charge Co' },
  });
  await ok('mutation ($i: CreateSiteInput!) { createSite(input: $i) { __typename } }', {
    i: { tenantId: T, siteId: 'depot', customerId: 'cust', name: 'Depot' },
  });
  await ok(
    `mutation ($t: ID!, $l: JSONObject!) { setOcpiLocation(tenantId: $t, siteId: "depot", location: $l) { siteId } }`,
    {
      t: T,
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
  bays['ocpp1.6'] = await bay('ocpp1.6');
  bays['ocpp2.0.1'] = await bay('ocpp2.0.1');
  const { registerOcpiParty } = await ok(
    `mutation ($i: RegisterOcpiPartyInput!) { registerOcpiParty(input: $i) { tokenA versionsUrl } }`,
    { i: { tenantId: T, id: 'emsp', cpoCountryCode: 'NL', cpoPartyId: 'DOP', cpoName: 'Doppel' } },
  );
  token = (await emsp.register(registerOcpiParty.versionsUrl, registerOcpiParty.tokenA)).credentials
    .token;
}, 300_000);
afterAll(async () => {
  // Removing the party ends its push workflow, which would retry against this eMSP, gone.
  if (stack)
    await graphql(
      stack.apiUrl,
      'mutation ($t: ID!) { removeOcpiParty(tenantId: $t, ocpiPartyId: "emsp") { __typename } }',
      { t: T },
    );
  for (const b of Object.values(bays)) await b?.station.close({ code: 1000 });
  await emsp?.stop();
  await stack?.stop();
});

/** A time minutes from now, in whole seconds (the library's DateTime drops fractions). */
const inMinutes = (minutes: number) =>
  new Date(Math.floor(Date.now() / 1000 + minutes * 60) * 1000).toISOString();

/** Sends a command; expects the CommandResponse; answers the CommandResult the eMSP received. */
async function command(type: string, body: Record<string, unknown>, response = 'ACCEPTED') {
  const sent = await emsp.command(commands, token, type, body);
  expect(sent.error).toBeUndefined();
  expect(sent.response, JSON.stringify(sent.body)).toMatchObject({ result: response, timeout: 60 });
  return {
    response: sent.response,
    result: () =>
      expect.poll(async () => (await emsp.state()).command_results[sent.uid]?.result, {
        timeout: 30_000,
      }),
  };
}

/** The station's last call of an action, once it arrived. */
async function lastCall(b: Bay, method: string) {
  await expect.poll(() => b.received.filter((r) => r.method === method).length).toBeGreaterThan(0);
  return b.received.filter((r) => r.method === method).at(-1)!.params;
}

/** The station starts the transaction START_SESSION asked for; answers the OCPI session id. */
async function transactionStarted(b: Bay): Promise<string> {
  if (b.version === 'ocpp1.6') {
    const started = await b.station.call('StartTransaction', {
      connectorId: 1,
      idTag: 'token-0042',
      meterStart: 1000,
      timestamp: new Date().toISOString(),
    });
    // In 1.6 the transaction id Doppel hands out is the charging session's id.
    return String(started.transactionId);
  }
  const request = await lastCall(b, 'RequestStartTransaction');
  const transactionId = `tx-${Math.random().toString(36).slice(2, 10)}`;
  await b.station.call('TransactionEvent', {
    eventType: 'Started',
    timestamp: new Date().toISOString(),
    triggerReason: 'RemoteStart',
    seqNo: 0,
    transactionInfo: {
      transactionId,
      chargingState: 'Charging',
      remoteStartId: request.remoteStartId,
    },
    idToken: request.idToken,
    evse: { id: 1, connectorId: 1 },
  });
  // The eMSP learns the session id from the Sessions module; here it is read where it is kept.
  const [row] = await stack.database.sql<{ id: number }[]>`
    select id from charging_sessions where tenant_id = ${T} and transaction_id = ${transactionId}`;
  return String(row!.id);
}

describe.each(['ocpp1.6', 'ocpp2.0.1'] as const)('OCPI commands to an %s station', (version) => {
  const stopCall = version === 'ocpp1.6' ? 'RemoteStopTransaction' : 'RequestStopTransaction';

  it('starts a session with START_SESSION and stops it with STOP_SESSION', async () => {
    const b = bays[version];
    const started = await command('START_SESSION', {
      token: driver(),
      location_id: 'depot',
      evse_uid: b.evse,
      connector_id: '1',
    });
    await started.result().toBe('ACCEPTED');
    const sessionId = await transactionStarted(b);
    sessionIds[version] = sessionId;

    const stopped = await command('STOP_SESSION', { session_id: sessionId });
    const params = await lastCall(b, stopCall);
    const [row] = await stack.database.sql<{ transaction_id: string }[]>`
      select transaction_id from charging_sessions where tenant_id = ${T} and id = ${Number(sessionId)}`;
    expect(params).toEqual({
      transactionId: version === 'ocpp1.6' ? Number(sessionId) : row!.transaction_id,
    });
    await stopped.result().toBe('ACCEPTED');

    // The station declines the next one: the eMSP hears REJECTED.
    b.answers[stopCall] = { status: 'Rejected' };
    const declined = await command('STOP_SESSION', { session_id: sessionId });
    await declined.result().toBe('REJECTED');
    delete b.answers[stopCall];

    // The transaction ends; a STOP_SESSION for it is refused at once, without a call.
    if (version === 'ocpp1.6')
      await b.station.call('StopTransaction', {
        transactionId: Number(sessionId),
        meterStop: 2000,
        timestamp: new Date().toISOString(),
      });
    else
      await b.station.call('TransactionEvent', {
        eventType: 'Ended',
        timestamp: new Date().toISOString(),
        triggerReason: 'RemoteStop',
        seqNo: 1,
        transactionInfo: { transactionId: row!.transaction_id, stoppedReason: 'Remote' },
      });
    const calls = b.received.length;
    const ended = await emsp.command(commands, token, 'STOP_SESSION', { session_id: sessionId });
    expect(ended.response).toMatchObject({
      result: 'REJECTED',
      message: [expect.objectContaining({ text: expect.stringMatching(/ended/) })],
    });
    expect(b.received.length).toBe(calls);
  });

  it('reserves with RESERVE_NOW, replaces with the same id, and cancels with CANCEL_RESERVATION', async () => {
    const b = bays[version];
    const expiry = inMinutes(15);
    const reserved = await command('RESERVE_NOW', {
      token: driver(),
      expiry_date: expiry,
      reservation_id: `res-${version}`,
      location_id: 'depot',
      evse_uid: b.evse,
    });
    const first = await lastCall(b, 'ReserveNow');
    const id = version === 'ocpp1.6' ? first.reservationId : first.id;
    expect(Number.isInteger(id)).toBe(true);
    expect(first).toEqual(
      version === 'ocpp1.6'
        ? { connectorId: 1, expiryDate: expiry, idTag: 'token-0042', reservationId: id }
        : {
            id,
            expiryDateTime: expiry,
            idToken: { idToken: 'token-0042', type: 'Central' },
            evseId: 1,
          },
    );
    await reserved.result().toBe('ACCEPTED');

    // The same reservation id again: the station gets the same integer, so it replaces it.
    const later = inMinutes(30);
    const again = await command('RESERVE_NOW', {
      token: driver(),
      expiry_date: later,
      reservation_id: `res-${version}`,
      location_id: 'depot',
      evse_uid: b.evse,
    });
    await again.result().toBe('ACCEPTED');
    const second = await lastCall(b, 'ReserveNow');
    expect(version === 'ocpp1.6' ? second.reservationId : second.id).toBe(id);
    expect(second.expiryDate ?? second.expiryDateTime).toBe(later);

    const cancelled = await command('CANCEL_RESERVATION', { reservation_id: `res-${version}` });
    expect(await lastCall(b, 'CancelReservation')).toEqual({ reservationId: id });
    await cancelled.result().toBe('ACCEPTED');

    // The station no longer holds it: its Rejected is OCPI's UNKNOWN_RESERVATION.
    b.answers.CancelReservation = { status: 'Rejected' };
    const twice = await command('CANCEL_RESERVATION', { reservation_id: `res-${version}` });
    await twice.result().toBe('UNKNOWN_RESERVATION');
    delete b.answers.CancelReservation;
  });

  it.each([
    ['Occupied', 'EVSE_OCCUPIED'],
    ['Faulted', 'EVSE_INOPERATIVE'],
    ['Unavailable', 'EVSE_INOPERATIVE'],
    ['Rejected', 'REJECTED'],
  ])('a station answering ReserveNow %s gives the eMSP %s', async (status, result) => {
    const b = bays[version];
    b.answers.ReserveNow = { status };
    const reserved = await command('RESERVE_NOW', {
      token: driver(),
      expiry_date: inMinutes(15),
      reservation_id: `busy-${status}`,
      location_id: 'depot',
      evse_uid: b.evse,
    });
    await reserved.result().toBe(result);
    delete b.answers.ReserveNow;
  });
});

describe('OCPI reservations across stations', () => {
  it('moves a reservation id to another station: the old one cancels it, the new one gets the same integer', async () => {
    const [b16, b201] = [bays['ocpp1.6'], bays['ocpp2.0.1']];
    const reserve = (b: Bay) =>
      command('RESERVE_NOW', {
        token: driver(),
        expiry_date: inMinutes(10),
        reservation_id: 'Moving-1',
        location_id: 'depot',
        evse_uid: b.evse,
      });
    await (await reserve(b16)).result().toBe('ACCEPTED');
    const { reservationId } = await lastCall(b16, 'ReserveNow');
    const cancels = b16.received.filter((r) => r.method === 'CancelReservation').length;
    await (await reserve(b201)).result().toBe('ACCEPTED');
    expect((await lastCall(b201, 'ReserveNow')).id).toBe(reservationId);
    await expect
      .poll(() => b16.received.filter((r) => r.method === 'CancelReservation').length)
      .toBe(cancels + 1);
    expect(await lastCall(b16, 'CancelReservation')).toEqual({ reservationId });
    // CANCEL_RESERVATION now goes to where the reservation is (ids are case-insensitive).
    const cancelled = await command('CANCEL_RESERVATION', { reservation_id: 'MOVING-1' });
    await cancelled.result().toBe('ACCEPTED');
    expect(await lastCall(b201, 'CancelReservation')).toEqual({ reservationId });
  });
});

describe('OCPI commands Doppel refuses itself', () => {
  it('answers UNKNOWN_SESSION for a session it does not know, REJECTED for an unknown reservation', async () => {
    const calls = () => bays['ocpp1.6'].received.length + bays['ocpp2.0.1'].received.length;
    const before = calls();
    for (const session_id of ['2147483000', 'not-a-number']) {
      const unknown = await emsp.command(commands, token, 'STOP_SESSION', { session_id });
      expect(unknown.response).toMatchObject({
        result: 'UNKNOWN_SESSION',
        message: [expect.objectContaining({ text: `no session ${session_id}` })],
      });
    }
    const nothing = await emsp.command(commands, token, 'CANCEL_RESERVATION', {
      reservation_id: 'never-made',
    });
    expect(nothing.response).toMatchObject({
      result: 'REJECTED',
      message: [expect.objectContaining({ text: 'no reservation never-made' })],
    });
    expect(calls()).toBe(before);
  });

  it('answers 400/2001 for a body that is not the command’s object, 404/2003 for an unknown EVSE', async () => {
    const bad = await emsp.call('POST', `${commands}/RESERVE_NOW`, token, {
      response_url: 'http://127.0.0.1:1/r',
      token: driver(),
      expiry_date: 'soon',
      reservation_id: 'r',
      location_id: 'depot',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.status_code).toBe(2001);
    expect(bad.body.status_message).toMatch(/expiry_date/);
    const nowhere = await emsp.command(commands, token, 'RESERVE_NOW', {
      token: driver(),
      expiry_date: inMinutes(1),
      reservation_id: 'r',
      location_id: 'depot',
      evse_uid: 'bay-9',
    });
    expect(nowhere.status).toBe(404);
    expect(nowhere.body.status_code).toBe(2003);
    const past = await emsp.command(commands, token, 'RESERVE_NOW', {
      token: driver(),
      expiry_date: inMinutes(-1),
      reservation_id: 'r',
      location_id: 'depot',
    });
    expect(past.response).toMatchObject({ result: 'REJECTED' });
  });

  it('knows no session or reservation of another tenant’s party', async () => {
    const other = uniqueTenant('ocpi-cmd-b');
    const { registerOcpiParty } = await ok(
      `mutation ($i: RegisterOcpiPartyInput!) { registerOcpiParty(input: $i) { tokenA versionsUrl } }`,
      {
        i: {
          tenantId: other,
          id: 'emsp',
          cpoCountryCode: 'NL',
          cpoPartyId: 'DOQ',
          cpoName: 'Doppel B',
        },
      },
    );
    const tokenB = (await emsp.register(registerOcpiParty.versionsUrl, registerOcpiParty.tokenA))
      .credentials.token;
    try {
      const calls = () => bays['ocpp1.6'].received.length + bays['ocpp2.0.1'].received.length;
      const before = calls();
      // In its own tenant the session is known (and has ended); elsewhere it is not.
      const own = await emsp.command(commands, token, 'STOP_SESSION', {
        session_id: sessionIds['ocpp1.6'],
      });
      expect(own.response).toMatchObject({ result: 'REJECTED' });
      const foreign = await emsp.command(commands, tokenB, 'STOP_SESSION', {
        session_id: sessionIds['ocpp1.6'],
      });
      expect(foreign.response).toMatchObject({ result: 'UNKNOWN_SESSION' });
      const reservation = await emsp.command(commands, tokenB, 'CANCEL_RESERVATION', {
        reservation_id: 'res-ocpp1.6',
      });
      expect(reservation.response).toMatchObject({ result: 'REJECTED' });
      expect(calls()).toBe(before);
    } finally {
      await graphql(
        stack.apiUrl,
        'mutation ($t: ID!) { removeOcpiParty(tenantId: $t, ocpiPartyId: "emsp") { __typename } }',
        { t: other },
      );
    }
  });
});

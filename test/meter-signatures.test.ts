import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ocpiSignedData, type SignedMeterValue } from '../twins/sessions';
import { runCli } from './support/cli';
import { eventually, graphql } from './support/graphql';
import { OCMF_VECTORS as V, testMeter } from './support/ocmf-vectors';
import {
  bootPayload,
  connectStation,
  type OcppVersion,
  type Station,
} from './support/ocpp-station';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

// Eichrecht: real ocpp-rpc stations send the OCMF library's own test vectors (valid, tampered,
// signed by another meter) and the gateway checks each against the key registered for the
// station — never the key a message carries. Where each vector comes from: support/ocmf-vectors.

let stack: TestStack;
let graph: TwinGraph;
const tokens: Record<string, string> = {};
const CP16 = 'eich-16';
const CP201 = 'eich-201';
const NOKEY = 'eich-nokey';

const KEY_FIELDS = 'publicKey curve signingMethod registeredBy registeredAt';
const SET_KEY = `mutation ($i: SetMeterPublicKeyInput!) { setMeterPublicKey(input: $i) {
  deviceId meterPublicKey { ${KEY_FIELDS} } replaced { publicKey } } }`;
const RECORDS = `query ($t: ID!, $d: ID!) { sessionRecords(tenantId: $t, filter: { deviceId: $d }) {
  nodes { id transactionId flags counted signatureVerdict
    paginationIssues { meterSerial series missing repeated }
    signedMeterData { at context measurand format data signingMethod encodingMethod publicKey
      verification { verdict reason signingMethod meterSerial pagination publicKey } } } } }`;
const ALARMS = `query ($t: ID!, $d: ID!) { alarms(tenantId: $t, filter: { deviceId: $d }) {
  nodes { ruleId alarmType severity status details } } }`;

const setKey = (deviceId: string, publicKey: string | null) =>
  graphql(stack.apiUrl, SET_KEY, { i: { tenantId: graph.tenantId, deviceId, publicKey } });

async function recordOf(deviceId: string, transactionId: string) {
  return eventually(async () => {
    const res = await graphql(stack.apiUrl, RECORDS, { t: graph.tenantId, d: deviceId });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data.sessionRecords.nodes.find((r: any) => r.transactionId === transactionId);
  });
}

const alarmsOf = async (deviceId: string) => (await graph.ok(ALARMS, { d: deviceId })).alarms.nodes;

async function station(version: OcppVersion, deviceId: string): Promise<Station> {
  const cp = await connectStation(
    stack.ocppUrl,
    version,
    deviceId,
    tokens[deviceId]!,
    graph.tenantId,
  );
  expect(await cp.call('BootNotification', bootPayload(version))).toMatchObject({
    status: 'Accepted',
  });
  return cp;
}

/** A 1.6 transaction: its start, a MeterValues with `begin`, and its stop with `end`. */
async function transaction16(cp: Station, signed: { begin: string; end: string }): Promise<string> {
  const at = new Date().toISOString();
  const { transactionId } = await cp.call('StartTransaction', {
    connectorId: 1,
    idTag: 'TAG-E',
    meterStart: 1000,
    timestamp: at,
  });
  const sampled = (value: string, context: string) => [
    { timestamp: at, sampledValue: [{ value, format: 'SignedData', context }] },
  ];
  await cp.call('MeterValues', {
    connectorId: 1,
    transactionId,
    meterValue: sampled(signed.begin, 'Transaction.Begin'),
  });
  expect(
    await cp.call('StopTransaction', {
      transactionId,
      meterStop: 9000,
      timestamp: new Date().toISOString(),
      transactionData: sampled(signed.end, 'Transaction.End'),
    }),
  ).toEqual({ idTagInfo: { status: 'Accepted' } });
  return String(transactionId);
}

const verdictsOf = (record: { signedMeterData: Array<{ verification: { verdict: string } }> }) =>
  record.signedMeterData.map((s) => s.verification.verdict);

beforeAll(async () => {
  stack = await startTestStack();
  graph = new TwinGraph(stack, uniqueTenant('eich'));
  for (const deviceId of [CP16, CP201, NOKEY]) tokens[deviceId] = await graph.register(deviceId);
});
afterAll(() => stack?.stop());

describe('meter public keys and signed meter values (OCMF)', () => {
  it("registers, rotates and removes a station's meter key, readable on the device and audited", async () => {
    const refused = async (deviceId: string, key: string) =>
      (await setKey(deviceId, key)).errors?.map((e) => e.extensions?.code);
    expect(await refused(CP16, 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE')).toEqual([
      'api:input.invalid-meter-key',
    ]);
    const offCurve = `${V.secp256r1.key.slice(0, -2)}00`;
    const offCurveAnswer = await setKey(CP16, offCurve);
    expect(offCurveAnswer.errors?.[0]?.message).toContain('not a point on secp256r1');
    expect(await refused('no-such-station', V.secp256r1.key)).toEqual(['twin:device.not-found']);

    // As the meter's label prints it: lower case, colon-separated.
    const printed = V.secp256r1.key.toLowerCase().match(/.{2}/g)!.join(':');
    const first = await setKey(CP16, printed);
    expect(first.errors).toBeUndefined();
    expect(first.data.setMeterPublicKey).toMatchObject({
      deviceId: CP16,
      meterPublicKey: {
        publicKey: V.secp256r1.key,
        curve: 'secp256r1',
        signingMethod: 'ECDSA-secp256r1-SHA256',
        registeredBy: expect.stringMatching(/^user:/),
      },
      replaced: null,
    });
    const rotated = await setKey(CP16, V.brainpool256r1.key);
    expect(rotated.data.setMeterPublicKey).toMatchObject({
      meterPublicKey: { curve: 'brainpool256r1' },
      replaced: { publicKey: V.secp256r1.key },
    });
    const removed = await setKey(CP16, null);
    expect(removed.data.setMeterPublicKey).toEqual({
      deviceId: CP16,
      meterPublicKey: null,
      replaced: { publicKey: V.brainpool256r1.key },
    });
    const read = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { meterPublicKey { ${KEY_FIELDS} } } }`;
    expect((await graph.ok(read, { d: CP16 })).device.meterPublicKey).toBeNull();

    // The keys the stations below are commissioned with.
    expect((await setKey(CP16, V.secp256r1.key)).errors).toBeUndefined();
    expect((await setKey(CP201, V.brainpool256r1.key)).errors).toBeUndefined();
    // The same key again changes nothing (and adds no change to the audit trail below).
    const again = await setKey(CP16, V.secp256r1.key);
    expect(again.data.setMeterPublicKey).toMatchObject({
      meterPublicKey: { publicKey: V.secp256r1.key },
      replaced: null,
    });
    const device = (await graph.ok(read, { d: CP16 })).device;
    expect(device.meterPublicKey).toMatchObject({ publicKey: V.secp256r1.key });
    expect(Date.parse(device.meterPublicKey.registeredAt)).toBeGreaterThan(Date.now() - 60_000);

    // Each change is in the audit trail: who, when, and the key before and after.
    const audit = await graph.ok(
      `query ($t: ID!, $s: String) { auditEntries(tenantId: $t, first: 100,
        filter: { subject: $s, operation: "setMeterPublicKey" }) { nodes { actor outcome at before after } } }`,
      { s: `device:${CP16}` },
    );
    const changes = audit.auditEntries.nodes.filter(
      (e: any) => e.before !== null || e.after !== null,
    );
    expect(
      changes.map((e: any) => [e.before?.curve ?? null, e.after?.curve ?? null]).reverse(),
    ).toEqual([
      [null, 'secp256r1'],
      ['secp256r1', 'brainpool256r1'],
      ['brainpool256r1', null],
      [null, 'secp256r1'],
    ]);
    expect(changes[0]).toMatchObject({ actor: expect.stringMatching(/^user:/), outcome: 'ok' });
  });

  it('OCPP 1.6: a valid value verifies, a tampered one is INVALID, flags the session and raises the alarm', async () => {
    const cp = await station('ocpp1.6', CP16);
    const tamperedTx = await transaction16(cp, {
      begin: V.secp256r1.valid,
      end: V.secp256r1.tampered,
    });
    const cleanTx = await transaction16(cp, { begin: V.secp256r1.valid, end: V.secp256r1.valid });
    await cp.close();

    const tampered = await recordOf(CP16, tamperedTx);
    expect(verdictsOf(tampered)).toEqual(['VALID', 'INVALID']);
    // The tampered data set kept its counter (T1) but not its content: a repeat as well.
    expect(tampered).toMatchObject({
      signatureVerdict: 'INVALID',
      flags: ['session:signature.invalid', 'session:pagination.repeat'],
      paginationIssues: [{ meterSerial: '1234567', series: 'T', missing: [], repeated: [1] }],
    });
    expect(tampered.signedMeterData[0].verification).toMatchObject({
      signingMethod: 'ECDSA-secp256r1-SHA256',
      meterSerial: '1234567',
      pagination: 'T1',
      publicKey: V.secp256r1.key,
    });
    expect(tampered.signedMeterData[1].verification.reason).toContain('does not match');
    // The value itself is kept byte for byte, whatever its verdict.
    expect(tampered.signedMeterData[1].data).toBe(V.secp256r1.tampered);

    const clean = await recordOf(CP16, cleanTx);
    expect(clean).toMatchObject({ signatureVerdict: 'VALID', flags: [], counted: true });
    expect(verdictsOf(clean)).toEqual(['VALID', 'VALID']);

    const alarms = await eventually(async () => {
      const found = await alarmsOf(CP16);
      return found.length > 0 ? found : undefined;
    });
    expect(alarms).toEqual([
      expect.objectContaining({
        ruleId: `ocpp:MeterSignatureInvalid:tx:${tamperedTx}`,
        alarmType: 'MeterSignatureInvalid',
        severity: 'MAJOR',
        status: 'ACTIVE',
        details: expect.objectContaining({
          transactionId: tamperedTx,
          context: 'Transaction.End',
          pagination: 'T1',
          source: 'station',
        }),
      }),
    ]);
  });

  it("OCPP 2.0.1: Base64 signedMeterData verifies; a value signed by another meter is INVALID even with that meter's key in the message", async () => {
    const cp = await station('ocpp2.0.1', CP201);
    const transactionId = `tx-${Math.random().toString(36).slice(2, 10)}`;
    const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
    const t0 = Date.now();
    const event = (
      seqNo: number,
      eventType: string,
      signedMeterValue: Record<string, string>,
      context: string,
    ) => ({
      eventType,
      timestamp: new Date(t0 + seqNo * 1000).toISOString(),
      triggerReason: eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
      seqNo,
      transactionInfo: { transactionId },
      ...(seqNo === 0 ? { evse: { id: 1, connectorId: 1 } } : {}),
      meterValue: [
        {
          timestamp: new Date(t0 + seqNo * 1000).toISOString(),
          sampledValue: [{ value: 1000 + seqNo, context, signedMeterValue }],
        },
      ],
    });
    const ocmf = (data: string, publicKey = '') => ({
      signedMeterData: data,
      signingMethod: '',
      encodingMethod: 'OCMF',
      publicKey,
    });
    await cp.call(
      'TransactionEvent',
      event(0, 'Started', ocmf(b64(V.brainpool256r1.valid)), 'Transaction.Begin'),
    );
    await cp.call(
      'TransactionEvent',
      event(
        1,
        'Updated',
        {
          signedMeterData: b64('<edl/>'),
          signingMethod: 'RSA',
          encodingMethod: 'EDL',
          publicKey: '',
        },
        'Sample.Periodic',
      ),
    );
    // Signed by another meter, which the station names by its own key: still checked against
    // the registered brainpool key, and refused.
    await cp.call(
      'TransactionEvent',
      event(2, 'Ended', ocmf(b64(V.secp256r1.valid), b64(V.secp256r1.key)), 'Transaction.End'),
    );
    await cp.close();

    const record = await recordOf(CP201, transactionId);
    expect(verdictsOf(record)).toEqual(['VALID', 'UNSUPPORTED', 'INVALID']);
    expect(record.signedMeterData[2].verification).toMatchObject({
      publicKey: V.brainpool256r1.key,
      reason: expect.stringContaining('brainpool256r1'),
    });
    // Both data sets call themselves T1 of meter 1234567: a repeat too.
    expect(record).toMatchObject({
      signatureVerdict: 'INVALID',
      flags: ['session:signature.invalid', 'session:pagination.repeat'],
    });
    await eventually(async () => {
      const found = await alarmsOf(CP201);
      return found.some((a: any) => a.ruleId === `ocpp:MeterSignatureInvalid:tx:${transactionId}`)
        ? true
        : undefined;
    });
  });

  it('a station without a registered key: NO_KEY, no alarm', async () => {
    const cp = await station('ocpp1.6', NOKEY);
    const transactionId = await transaction16(cp, {
      begin: V.secp256r1.valid,
      end: V.secp256r1.tampered,
    });
    await cp.close();
    const record = await recordOf(NOKEY, transactionId);
    expect(verdictsOf(record)).toEqual(['NO_KEY', 'NO_KEY']);
    // Nothing could check the tampered data set, but its reused counter still shows.
    expect(record).toMatchObject({
      signatureVerdict: 'NO_KEY',
      flags: ['session:pagination.repeat'],
    });
    expect(record.signedMeterData[0].verification.publicKey).toBeNull();
    expect(await alarmsOf(NOKEY)).toEqual([]);
  });

  it('a skipped pagination number is flagged on the session and in the export; a rotated key counts at once', async () => {
    // The station's meter was swapped: its new key is registered, and the next values verify.
    const meter = testMeter('TM-PG');
    expect((await setKey(CP16, meter.publicKey)).errors).toBeUndefined();
    const cp = await station('ocpp1.6', CP16);
    // T2 never arrives.
    const transactionId = await transaction16(cp, {
      begin: meter.sign('T1', 1.0, 'B'),
      end: meter.sign('T3', 8.0, 'E'),
    });
    await cp.close();
    const record = await recordOf(CP16, transactionId);
    expect(verdictsOf(record)).toEqual(['VALID', 'VALID']);
    expect(record).toMatchObject({
      signatureVerdict: 'VALID',
      flags: ['session:pagination.gap'],
      paginationIssues: [{ meterSerial: 'TM-PG', series: 'T', missing: [2], repeated: [] }],
    });

    const csv = await runCli(stack.apiUrl, [
      'export',
      'sessions',
      '--tenant',
      graph.tenantId,
      '--format',
      'csv',
    ]);
    expect(csv.code).toBe(0);
    const rows = parse(csv.stdout, { columns: true }) as Array<Record<string, string>>;
    const row = (deviceId: string, flags: string) =>
      rows.find((r) => r.deviceId === deviceId && r.flags === flags);
    expect(row(CP16, 'session:pagination.gap')).toMatchObject({
      signatureVerdict: 'VALID',
      paginationIssues: 'TM-PG/T: missing 2',
    });
    const invalid = row(CP16, 'session:signature.invalid session:pagination.repeat');
    expect(invalid).toMatchObject({
      signatureVerdict: 'INVALID',
      paginationIssues: '1234567/T: repeated 1',
    });
    expect(row(NOKEY, 'session:pagination.repeat')).toMatchObject({ signatureVerdict: 'NO_KEY' });
    const signed = JSON.parse(invalid!.signedMeterData!);
    expect(signed.map((s: any) => s.verification.verdict)).toEqual(['VALID', 'INVALID']);
  });

  it("gives the OCPI 2.2.1 signed_data of an exported record, with the registered key and the station's exact strings", async () => {
    const json = await runCli(stack.apiUrl, [
      'export',
      'sessions',
      '--tenant',
      graph.tenantId,
      '--format',
      'json',
    ]);
    expect(json.code).toBe(0);
    const records = JSON.parse(json.stdout) as Array<{
      flags: string[];
      deviceId: string;
      signedMeterData: SignedMeterValue[];
    }>;
    const tampered = records.find(
      (r) => r.deviceId === CP16 && r.flags.includes('session:signature.invalid'),
    )!;
    const signedData = ocpiSignedData(tampered.signedMeterData);
    expect(signedData).toMatchObject({
      encoding_method: 'OCMF',
      public_key: Buffer.from(V.secp256r1.key, 'hex').toString('base64'),
      signed_values: [{ nature: 'Start' }, { nature: 'End' }],
    });
    expect(
      signedData!.signed_values.map((v) => Buffer.from(v.signed_data, 'base64').toString('utf8')),
    ).toEqual([V.secp256r1.valid, V.secp256r1.tampered]);
  });
});

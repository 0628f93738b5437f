import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerEntries } from '../db/schema';
import { TEST_LEDGER_KEY } from './support/auth';
import { runCli } from './support/cli';
import { eventually, graphql } from './support/graphql';
import {
  bootPayload,
  connectStation,
  type OcppVersion,
  type Station,
} from './support/ocpp-station';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

// Real stations (ocpp-rpc) retry, replay and mangle their transaction messages the way field
// firmware does after outages; every real session must end up as exactly one record.

let stack: TestStack;
let graph: TwinGraph;
const tokens: Record<string, string> = {};
const CP16 = 'cp16-a';
const CP201 = 'cp201-b';

/** An OCMF string as Eichrecht meters sign it: JSON inside, quotes, commas, a non-ASCII name. */
const ocmf = (tx: string, reading: number) =>
  `OCMF|{"FV":"1.0","GI":"Wallbox Süd/Nord","GS":"808829900001","PG":"${tx}","RD":[{"TM":"2026-03-01T10:00:00,000+0100 S","RV":${reading},"RI":"1-b:1.8.0","RU":"kWh","ST":"G"}]}|{"SA":"ECDSA-secp256r1-SHA256","SD":"3045022100c5\\u00e9"}`;

const RECORD_FIELDS = `id deviceId protocol transactionId evseId connectorId idTag startedAt stoppedAt
  meterStartWh meterStopWh energyKWh stopReason flags counted offline siteId assetId
  notes { code count } ledger { seq hash }
  signedMeterData { at context format data signingMethod encodingMethod publicKey }`;
const RECORDS = `query ($t: ID!, $filter: SessionRecordFilter, $first: Int, $after: String) {
  sessionRecords(tenantId: $t, filter: $filter, first: $first, after: $after) {
    totalCount totalEnergyKWh pageInfo { hasNextPage endCursor } nodes { ${RECORD_FIELDS} } } }`;

const recordsOf = async (filter: Record<string, unknown> = {}) =>
  (await graph.ok(RECORDS, { filter, first: 500 })).sessionRecords;

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

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

beforeAll(async () => {
  stack = await startTestStack();
  graph = new TwinGraph(stack, uniqueTenant('cdr'));
  await graph.customer('c1');
  await graph.site('s1', 'c1');
  await graph.site('s2', 'c1');
  await graph.asset('bay-1', 's1');
  await graph.asset('bay-2', 's2');
  for (const [deviceId, assetId] of [
    [CP16, 'bay-1'],
    [CP201, 'bay-2'],
  ] as const) {
    tokens[deviceId] = await graph.register(deviceId);
    expect((await graph.bind(assetId, deviceId)).errors).toBeUndefined();
    await eventually(async () => {
      const d = await graph.ok(
        `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) {
        asset { assetId } } }`,
        { d: deviceId },
      );
      return d.device?.asset?.assetId === assetId ? true : undefined;
    });
  }
});
afterAll(() => stack?.stop());

describe('charging session records', () => {
  it('OCPP 1.6: retried, replayed, orphan and -1 stops make one record per real session', async () => {
    let cp = await station('ocpp1.6', CP16);
    const startedAt = minutesAgo(1);
    const start = { connectorId: 1, idTag: 'TAG-16', meterStart: 1000, timestamp: startedAt };
    const { transactionId } = await cp.call('StartTransaction', start);
    // The station did not hear the answer and sends the same start again.
    expect((await cp.call('StartTransaction', start)).transactionId).toBe(transactionId);
    const begin = ocmf(String(transactionId), 1.0);
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId,
      meterValue: [
        {
          timestamp: startedAt,
          sampledValue: [
            { value: begin, format: 'SignedData', context: 'Transaction.Begin' },
            { value: '1000', unit: 'Wh', context: 'Transaction.Begin' },
          ],
        },
      ],
    });
    const stoppedAt = new Date().toISOString();
    const end = ocmf(String(transactionId), 8.5);
    const stop = {
      transactionId,
      meterStop: 8500,
      timestamp: stoppedAt,
      reason: 'EVDisconnected',
      transactionData: [
        {
          timestamp: stoppedAt,
          sampledValue: [{ value: end, format: 'SignedData', context: 'Transaction.End' }],
        },
      ],
    };
    expect(await cp.call('StopTransaction', stop)).toEqual({ idTagInfo: { status: 'Accepted' } });
    expect(await cp.call('StopTransaction', stop)).toEqual({ idTagInfo: { status: 'Accepted' } });
    await cp.close();

    // After reconnecting, the station replays its queue: the same stop, and one that disagrees.
    cp = await station('ocpp1.6', CP16);
    await cp.call('StopTransaction', stop);
    await cp.call('StopTransaction', { ...stop, meterStop: 9000 });
    // A session that ran while the station was offline, sent an hour late.
    const late = await cp.call('StartTransaction', {
      connectorId: 2,
      idTag: 'TAG-OFF',
      meterStart: 10_000,
      timestamp: minutesAgo(70),
    });
    await cp.call('StopTransaction', {
      transactionId: late.transactionId,
      meterStop: 12_500,
      timestamp: minutesAgo(60),
    });
    // A stop whose start never arrived (MicroOcpp#454), and transactionId -1 twice (libocpp#495).
    const orphan = 2_000_000_000 - Math.floor(Math.random() * 1_000_000);
    await cp.call('StopTransaction', {
      transactionId: orphan,
      idTag: 'TAG-X',
      meterStop: 400,
      timestamp: minutesAgo(2),
    });
    const invalid = { transactionId: -1, meterStop: 777, timestamp: minutesAgo(3) };
    await cp.call('StopTransaction', invalid);
    await cp.call('StopTransaction', invalid);
    await cp.close();

    const page = await recordsOf({ deviceId: CP16 });
    expect(page.totalCount).toBe(4);
    const byTx = Object.fromEntries(page.nodes.map((r: any) => [r.transactionId, r]));
    expect(byTx[String(transactionId)]).toMatchObject({
      protocol: 'ocpp1.6',
      connectorId: 1,
      idTag: 'TAG-16',
      meterStartWh: 1000,
      meterStopWh: 8500,
      energyKWh: 7.5,
      stopReason: 'EVDisconnected',
      flags: [],
      counted: true,
      offline: false,
      siteId: 's1',
      assetId: 'bay-1',
      notes: [
        { code: 'session:stop.conflict', count: 1 },
        { code: 'session:stop.duplicate', count: 2 },
      ],
    });
    expect(Date.parse(byTx[String(transactionId)].startedAt)).toBe(Date.parse(startedAt));
    // The signed meter data is the exact strings the station sent, in order.
    expect(byTx[String(transactionId)].signedMeterData).toEqual([
      expect.objectContaining({ data: begin, context: 'Transaction.Begin', format: 'SignedData' }),
      expect.objectContaining({ data: end, context: 'Transaction.End', format: 'SignedData' }),
    ]);
    expect(byTx[String(late.transactionId)]).toMatchObject({
      energyKWh: 2.5,
      offline: true,
      counted: true,
      stopReason: 'Local',
    });
    expect(byTx[String(orphan)]).toMatchObject({
      flags: ['session:stop.without-start'],
      counted: false,
      idTag: 'TAG-X',
      startedAt: null,
      energyKWh: null,
    });
    expect(byTx['-1']).toMatchObject({
      flags: ['session:transaction-id.invalid'],
      counted: false,
      notes: [{ code: 'session:stop.duplicate', count: 1 }],
    });
    expect(page.totalEnergyKWh).toBe(10);

    // The ledger holds the record, with the signed data as the same strings.
    const [entry] = await stack.database.db
      .select()
      .from(ledgerEntries)
      .where(
        and(
          eq(ledgerEntries.tenantId, graph.tenantId),
          eq(ledgerEntries.kind, 'session'),
          eq(ledgerEntries.recordId, byTx[String(transactionId)].id),
        ),
      );
    expect(entry!.seq).toBe(byTx[String(transactionId)].ledger.seq);
    const body = JSON.parse(entry!.body);
    expect(body.signedMeterData.map((s: { data: string }) => s.data)).toEqual([begin, end]);
    expect(body).toMatchObject({ energyKWh: 7.5, meterStopWh: 8500, flags: [] });
  });

  it('OCPP 2.0.1: duplicated and offline-replayed TransactionEvents make one record per transaction', async () => {
    let cp = await station('ocpp2.0.1', CP201);
    const signed = (tx: string, reading: number) => ({
      signedMeterData: ocmf(tx, reading),
      signingMethod: 'ECDSA-secp256r1-SHA256',
      encodingMethod: 'OCMF',
      publicKey: '3059301306072a8648ce3d020106082a8648ce3d03010703420004',
    });
    const transaction = (transactionId: string, base: number, offline = false) => {
      const t0 = Date.now();
      const at = (k: number) => new Date(t0 - (10 - k) * 1000).toISOString();
      const event = (seqNo: number, eventType: string, extra: Record<string, unknown> = {}) => ({
        eventType,
        timestamp: at(seqNo),
        triggerReason: eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
        seqNo,
        transactionInfo: { transactionId },
        ...(offline ? { offline: true } : {}),
        ...extra,
      });
      const meter = (wh: number, seqNo: number, context: string, sign = false) => ({
        meterValue: [
          {
            timestamp: at(seqNo),
            sampledValue: [
              {
                value: wh,
                context,
                unitOfMeasure: { unit: 'Wh' },
                ...(sign ? { signedMeterValue: signed(transactionId, wh / 1000) } : {}),
              },
            ],
          },
        ],
      });
      return {
        started: event(0, 'Started', {
          evse: { id: 1, connectorId: 1 },
          idToken: { idToken: 'TAG-201', type: 'ISO14443' },
          ...meter(base, 0, 'Transaction.Begin', true),
        }),
        updated: event(1, 'Updated', meter(base + 800, 1, 'Sample.Periodic')),
        ended: (seqNo: number, wh: number) =>
          event(seqNo, 'Ended', {
            transactionInfo: { transactionId, stoppedReason: 'EVDisconnected' },
            ...meter(wh, seqNo, 'Transaction.End', true),
          }),
      };
    };

    const online = transaction(`tx-${Math.random().toString(36).slice(2, 10)}`, 500);
    for (const e of [online.started, online.started, online.updated, online.updated])
      await cp.call('TransactionEvent', e);
    await cp.call('TransactionEvent', online.ended(2, 2100));
    await cp.call('TransactionEvent', online.ended(2, 2100));
    await cp.close();

    // Reconnected, the station replays the same transaction from its queue, marked offline,
    // then a transaction that ran wholly offline with an event lost (seqNo 2), then an event
    // that comes after that transaction's end, then an Ended whose start never arrived.
    cp = await station('ocpp2.0.1', CP201);
    const replay = transaction(online.started.transactionInfo.transactionId, 500, true);
    for (const e of [replay.started, replay.updated, replay.ended(2, 2100)])
      await cp.call('TransactionEvent', e);
    const offlineTx = `tx-${Math.random().toString(36).slice(2, 10)}`;
    const away = transaction(offlineTx, 100, true);
    for (const e of [away.started, away.updated, away.ended(3, 3100)])
      await cp.call('TransactionEvent', e);
    await cp.call('TransactionEvent', { ...away.updated, seqNo: 4 });
    const orphanTx = `tx-${Math.random().toString(36).slice(2, 10)}`;
    await cp.call('TransactionEvent', transaction(orphanTx, 0).ended(7, 900));
    await cp.close();

    const page = await recordsOf({ deviceId: CP201 });
    expect(page.totalCount).toBe(3);
    const byTx = Object.fromEntries(page.nodes.map((r: any) => [r.transactionId, r]));
    const first = byTx[online.started.transactionInfo.transactionId];
    expect(first).toMatchObject({
      protocol: 'ocpp2.0.1',
      evseId: 1,
      connectorId: 1,
      idTag: 'TAG-201',
      meterStartWh: 500,
      meterStopWh: 2100,
      energyKWh: 1.6,
      stopReason: 'EVDisconnected',
      flags: [],
      counted: true,
      offline: false,
      siteId: 's2',
      assetId: 'bay-2',
      notes: [{ code: 'session:stop.duplicate', count: 2 }],
    });
    expect(first.signedMeterData).toEqual([
      {
        at: online.started.timestamp,
        context: 'Transaction.Begin',
        format: null,
        ...signedFields(signed(online.started.transactionInfo.transactionId, 0.5)),
      },
      expect.objectContaining({ data: ocmf(online.started.transactionInfo.transactionId, 2.1) }),
    ]);
    expect(byTx[offlineTx]).toMatchObject({
      flags: ['session:seq.gap'],
      offline: true,
      counted: true,
      energyKWh: 3,
      notes: [{ code: 'session:event.after-end', count: 1 }],
    });
    expect(byTx[orphanTx]).toMatchObject({
      flags: ['session:stop.without-start'],
      counted: false,
      meterStopWh: 900,
    });
    expect(page.totalEnergyKWh).toBe(4.6);
  });

  it('lists records by device, site, asset, period and flag, page by page, from every twin', async () => {
    const all = await recordsOf();
    expect(all.totalCount).toBe(7);
    expect(all.totalEnergyKWh).toBe(14.6);
    const ids = all.nodes.map((r: any) => r.id);

    // Walking pages of two gives the same records in the same order.
    const walked: string[] = [];
    let after: string | null = null;
    for (;;) {
      const data: any = await graph.ok(RECORDS, { first: 2, after });
      walked.push(...data.sessionRecords.nodes.map((r: any) => r.id));
      if (!data.sessionRecords.pageInfo.hasNextPage) break;
      after = data.sessionRecords.pageInfo.endCursor;
    }
    expect(walked).toEqual(ids);

    expect((await recordsOf({ siteId: 's1' })).totalCount).toBe(4);
    expect((await recordsOf({ assetId: 'bay-2' })).totalEnergyKWh).toBe(4.6);
    const flagged = await recordsOf({ flagged: true });
    expect(flagged.totalCount).toBe(6);
    expect(flagged.totalEnergyKWh).toBe(7.5 + 1.6 + 3);
    const clean = await recordsOf({ flagged: false });
    expect(clean.nodes.map((r: any) => r.energyKWh)).toEqual([2.5]);
    const lastHour = await recordsOf({ from: minutesAgo(30), to: new Date(Date.now() + 60_000) });
    expect(lastHour.totalCount).toBe(6);
    expect((await recordsOf({ to: minutesAgo(30) })).nodes.map((r: any) => r.energyKWh)).toEqual([
      2.5,
    ]);

    const linked = await graph.ok(
      `query ($t: ID!) {
        site(tenantId: $t, siteId: "s2") { sessionRecords { totalCount } }
        asset(tenantId: $t, assetId: "bay-1") { sessionRecords(filter: { flagged: false }) { totalCount } }
        device(tenantId: $t, deviceId: "${CP201}") { sessionRecords(first: 1) { totalCount nodes { deviceId } } }
      }`,
    );
    expect(linked.site.sessionRecords.totalCount).toBe(3);
    expect(linked.asset.sessionRecords.totalCount).toBe(1);
    expect(linked.device.sessionRecords).toEqual({ totalCount: 3, nodes: [{ deviceId: CP201 }] });

    const one = await graph.ok(
      `query ($t: ID!, $id: ID!) { sessionRecord(tenantId: $t, id: $id) {
        id device { deviceId } site { siteId } asset { assetId } } }`,
      { id: ids[0] },
    );
    expect(one.sessionRecord).toEqual({
      id: ids[0],
      device: { deviceId: CP16 },
      site: { siteId: 's1' },
      asset: { assetId: 'bay-1' },
    });
    // Another tenant's record is one that does not exist.
    const other = await graphql(
      stack.apiUrl,
      `
        query ($t: ID!, $id: ID!) {
          sessionRecord(tenantId: $t, id: $id) {
            id
          }
        }
      `,
      { t: uniqueTenant('other'), id: ids[0] },
    );
    expect(other).toEqual({ data: { sessionRecord: null } });
  });

  it('exports records as CSV and JSON per site and period with the CLI', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'doppel-cdr-'));
    const csvFile = path.join(dir, 'sessions.csv');
    const csv = await runCli(stack.apiUrl, [
      'export',
      'sessions',
      '--tenant',
      graph.tenantId,
      '--site',
      's1',
      '--from',
      minutesAgo(30),
      '--format',
      'csv',
      '--out',
      csvFile,
    ]);
    expect(csv.code).toBe(0);
    const rows = parse(readFileSync(csvFile, 'utf8'), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(rows.map((r) => r.flags).sort()).toEqual([
      '',
      'session:stop.without-start',
      'session:transaction-id.invalid',
    ]);
    const normal = rows.find((r) => r.flags === '')!;
    expect(normal).toMatchObject({
      deviceId: CP16,
      energyKWh: '7.5',
      counted: 'true',
      siteId: 's1',
      notes: 'session:stop.conflict×1 session:stop.duplicate×2',
    });
    expect(JSON.parse(normal.signedMeterData!).map((s: { data: string }) => s.data)).toEqual([
      ocmf(normal.transactionId!, 1.0),
      ocmf(normal.transactionId!, 8.5),
    ]);

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
      energyKWh: number | null;
      counted: boolean;
    }>;
    expect(records).toHaveLength(7);
    const total = records.filter((r) => r.counted).reduce((sum, r) => sum + r.energyKWh!, 0);
    expect(Math.round(total * 1000) / 1000).toBe(14.6);
  });

  it("exports the tenant's signed ledger with its session records; it verifies, and a changed OCMF byte is caught", async () => {
    await eventually(async () => {
      const d = (
        await graphql(
          stack.apiUrl,
          'query ($t: ID!) { ledgerEntries(tenantId: $t) { seq } ledgerCheckpoints(tenantId: $t) { seq } }',
          { t: graph.tenantId },
        )
      ).data;
      const last = d.ledgerEntries.at(-1)?.seq;
      return last && d.ledgerCheckpoints.at(-1)?.seq === last ? true : undefined;
    }, 30_000);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'doppel-cdr-ledger-'));
    const file = path.join(dir, 'ledger.json');
    const exported = await runCli(stack.apiUrl, [
      'export',
      'ledger',
      '--tenant',
      graph.tenantId,
      '--out',
      file,
    ]);
    expect(exported.code).toBe(0);
    const bundle = JSON.parse(readFileSync(file, 'utf8'));
    const sessions = bundle.entries.filter((e: { kind: string }) => e.kind === 'session');
    expect(sessions).toHaveLength(7);
    // Pinned to the installation's key, as an operator who got it out of band would.
    const key = path.join(dir, 'installation.pem');
    writeFileSync(key, createPublicKey(TEST_LEDGER_KEY).export({ type: 'spki', format: 'pem' }));
    expect((await runCli(stack.apiUrl, ['verify', file, '--public-key', key])).code).toBe(0);

    // One byte of a charger's signed meter data, changed in the export: refused.
    const signed = sessions.find((e: { body: string }) => e.body.includes('OCMF|'));
    signed.body = signed.body.replace('Wallbox', 'Wallbpx');
    const tampered = path.join(dir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify(bundle));
    const refused = await runCli(stack.apiUrl, ['verify', tampered, '--public-key', key]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`entry ${signed.seq}: its hash does not match its content`);
  });
});

const signedFields = (s: {
  signedMeterData: string;
  signingMethod: string;
  encodingMethod: string;
  publicKey: string;
}) => ({
  data: s.signedMeterData,
  signingMethod: s.signingMethod,
  encodingMethod: s.encodingMethod,
  publicKey: s.publicKey,
});

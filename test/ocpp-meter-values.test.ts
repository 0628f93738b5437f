import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/graphql';
import {
  bootPayload,
  connectStation,
  type OcppVersion,
  type Station,
} from './support/ocpp-station';
import { startTestStack, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

// Real stations (ocpp-rpc) send meter values the way field firmware does: live readings,
// offline queues replayed hours later, readings inside transaction messages. The twin keeps
// the newest reading per measurand by the reading's own time; telemetry keeps every sample.

let stack: TestStack;
let graph: TwinGraph;
beforeAll(async () => {
  stack = await startTestStack();
  graph = new TwinGraph(stack);
});
afterAll(() => stack?.stop());

const E = 'Energy.Active.Import.Register';
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
const iso = (at: string) => new Date(at).toISOString();

const DEVICE = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) {
  reported telemetry(last: 50) { at channel values } } }`;

async function station(version: OcppVersion): Promise<{ cp: Station; deviceId: string }> {
  const deviceId = `cp-${Math.random().toString(36).slice(2, 10)}`;
  const token = await graph.register(deviceId);
  const cp = await connectStation(stack.ocppUrl, version, deviceId, token, graph.tenantId);
  expect(await cp.call('BootNotification', bootPayload(version))).toMatchObject({
    status: 'Accepted',
  });
  return { cp, deviceId };
}

const deviceOf = async (deviceId: string) => (await graph.ok(DEVICE, { d: deviceId })).device;

/**
 * The twin once it has taken every report sent before: a DataTransfer is sent last and the
 * twin applies reports in order, so when it shows, the reports before it are applied.
 */
async function settled(cp: Station, deviceId: string) {
  const marker = `marker-${Math.random().toString(36).slice(2, 8)}`;
  await cp.call('DataTransfer', { vendorId: 'org.doppel.test', messageId: marker });
  return eventually(async () => {
    const d = await deviceOf(deviceId);
    return d.reported?.dataTransfer?.messageId === marker ? d : undefined;
  });
}

const samples = (device: { telemetry: Array<{ at: string; channel: string; values: any }> }) =>
  device.telemetry.map((s) => [iso(s.at), s.channel, s.values]);

describe('OCPP 1.6 meter values', () => {
  it('a replayed offline queue cannot roll back reported.meter; telemetry keeps every sample', async () => {
    const { cp, deviceId } = await station('ocpp1.6');
    const live = hoursAgo(0);
    await cp.call('MeterValues', {
      connectorId: 1,
      meterValue: [{ timestamp: live, sampledValue: [{ value: '9000', unit: 'Wh' }] }],
    });
    // Back from two hours offline, the station replays what it measured meanwhile, oldest first.
    const queued = [hoursAgo(2), hoursAgo(1.5)];
    for (const [i, timestamp] of queued.entries())
      await cp.call('MeterValues', {
        connectorId: 1,
        meterValue: [
          {
            timestamp,
            sampledValue: [
              { value: String(5000 + i * 100), unit: 'Wh' },
              { value: '229.5', measurand: 'Voltage', phase: 'L1-N', unit: 'V' },
            ],
          },
        ],
      });
    const device = await settled(cp, deviceId);
    expect(device.reported.meter).toEqual({
      [E]: { value: 9000, unit: 'Wh', at: iso(live) },
      // Per measurand: the replay brought the only voltage reading, its newest one wins.
      'Voltage.L1-N': { value: 229.5, unit: 'V', at: iso(queued[1]!) },
    });
    expect(samples(device)).toEqual([
      [iso(live), 'connector:1', { [E]: 9000 }],
      [iso(queued[1]!), 'connector:1', { [E]: 5100, 'Voltage.L1-N': 229.5 }],
      [iso(queued[0]!), 'connector:1', { [E]: 5000, 'Voltage.L1-N': 229.5 }],
    ]);
    await cp.close();
  });

  it('StopTransaction transactionData reaches telemetry and the meter, also when the stop is retried', async () => {
    const { cp, deviceId } = await station('ocpp1.6');
    const { transactionId } = await cp.call('StartTransaction', {
      connectorId: 2,
      idTag: 'TAG-1',
      meterStart: 100,
      timestamp: hoursAgo(1),
    });
    // One time for the stop and its last sample (two calls of the clock may be 1 ms apart).
    const stoppedAt = hoursAgo(0.1);
    const stop = {
      transactionId,
      meterStop: 1600,
      timestamp: stoppedAt,
      transactionData: [
        { timestamp: hoursAgo(0.5), sampledValue: [{ value: '900', unit: 'Wh' }] },
        { timestamp: stoppedAt, sampledValue: [{ value: '1.6', unit: 'kWh' }] },
      ],
    };
    await cp.call('StopTransaction', stop);
    await cp.call('StopTransaction', stop);
    const device = await settled(cp, deviceId);
    expect(device.reported.meter).toEqual({
      [E]: { value: 1.6, unit: 'kWh', at: iso(stop.timestamp) },
    });
    expect(samples(device)).toEqual([
      [iso(stop.timestamp), 'connector:2', { [E]: 1.6 }],
      [iso(stop.transactionData[0]!.timestamp), 'connector:2', { [E]: 900 }],
    ]);
    await cp.close();
  });
});

describe('OCPP 2.0.1 TransactionEvent meter values', () => {
  const transaction = () => {
    const transactionId = `tx-${Math.random().toString(36).slice(2, 10)}`;
    return (seqNo: number, eventType: string, readings: Array<[string, number]>, extra = {}) => ({
      eventType,
      timestamp: readings[0]?.[0] ?? hoursAgo(0),
      triggerReason: eventType === 'Started' ? 'Authorized' : 'MeterValuePeriodic',
      seqNo,
      transactionInfo: { transactionId, chargingState: 'Charging' },
      meterValue: readings.map(([timestamp, wh]) => ({
        timestamp,
        sampledValue: [{ value: wh, unitOfMeasure: { unit: 'Wh' } }],
      })),
      ...extra,
    });
  };

  it('reach Device.telemetry and the meter as MeterValues do, on the evse the transaction named', async () => {
    const { cp, deviceId } = await station('ocpp2.0.1');
    const event = transaction();
    const [t0, t1, t2] = [hoursAgo(0.3), hoursAgo(0.2), hoursAgo(0.1)];
    await cp.call('TransactionEvent', event(0, 'Started', [[t0, 100]], { evse: { id: 2 } }));
    // Later events need not name the evse again; the values are on evse 2 all the same.
    await cp.call('TransactionEvent', event(1, 'Updated', [[t1, 800]]));
    await cp.call(
      'TransactionEvent',
      event(2, 'Updated', [[t2, 1.5]], {
        meterValue: [
          {
            timestamp: t2,
            sampledValue: [
              { value: 1.5, unitOfMeasure: { unit: 'kWh' } },
              { value: 7, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'kW' } },
            ],
          },
        ],
      }),
    );
    const device = await settled(cp, deviceId);
    expect(device.reported.meter).toEqual({
      [E]: { value: 1.5, unit: 'kWh', at: iso(t2) },
      'Power.Active.Import': { value: 7, unit: 'kW', at: iso(t2) },
    });
    expect(samples(device)).toEqual([
      [iso(t2), 'evse:2', { [E]: 1.5, 'Power.Active.Import': 7 }],
      [iso(t1), 'evse:2', { [E]: 800 }],
      [iso(t0), 'evse:2', { [E]: 100 }],
    ]);
    await cp.close();
  });

  it('an event delivered late (offline queue, retry) cannot roll back the meter', async () => {
    const { cp, deviceId } = await station('ocpp2.0.1');
    const event = transaction();
    const [t0, t1, t2] = [hoursAgo(2), hoursAgo(1), hoursAgo(0)];
    const started = event(0, 'Started', [[t0, 100]], { evse: { id: 1 }, offline: true });
    await cp.call('TransactionEvent', event(2, 'Updated', [[t2, 3000]], { evse: { id: 1 } }));
    await cp.call('TransactionEvent', started);
    await cp.call('TransactionEvent', event(1, 'Updated', [[t1, 1200]], { offline: true }));
    await cp.call('TransactionEvent', started); // a retry, answered from the store
    const device = await settled(cp, deviceId);
    expect(device.reported.meter).toEqual({ [E]: { value: 3000, unit: 'Wh', at: iso(t2) } });
    expect(samples(device)).toEqual([
      [iso(t2), 'evse:1', { [E]: 3000 }],
      [iso(t1), 'evse:1', { [E]: 1200 }],
      [iso(t0), 'evse:1', { [E]: 100 }],
    ]);
    await cp.close();
  });
});

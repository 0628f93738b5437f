import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryCount } from '../db/telemetry-store';
import { connectRegistered } from './support/device-client';
import { graphql } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const meter = JSON.parse(
  readFileSync(new URL('../twins/profiles/examples/acme-meter-em3.json', import.meta.url), 'utf8'),
);

const connected = (tenantId: string, deviceId: string, model?: string) =>
  connectRegistered(stack, tenantId, deviceId, model);

describe('telemetry', () => {
  it('is normalised by the profile, committed in PostgreSQL before the ack, and stored once when resent', async () => {
    const tenantId = uniqueTenant();
    await graphql(
      stack.apiUrl,
      `
        mutation ($t: ID!, $p: JSONObject!) {
          putDeviceProfile(tenantId: $t, profile: $p) {
            version
          }
        }
      `,
      {
        t: tenantId,
        p: meter,
      },
    );
    const device = await connected(tenantId, 'em-1', meter.model);
    const samples = [
      { at: '2026-11-22T08:00:00.000Z', values: { energy_Wh: 1500, power: 2300 } },
      { at: '2026-11-22T08:00:01.000Z', values: { energy_Wh: 1501, power: 2400 } },
    ];
    const mapped = Object.keys(meter.mapping);
    expect(mapped).toEqual(expect.arrayContaining(['energy_Wh', 'power']));
    device.send({ type: 'telemetry', seq: 2, samples });
    expect(await device.next((m) => m.seq === 2)).toEqual({ type: 'ack', seq: 2 });
    // Acked means committed: the rows are there now, not eventually.
    expect(await telemetryCount(stack.database, { tenantId, deviceId: 'em-1' })).toBe(2);

    device.send({ type: 'telemetry', seq: 3, samples }); // a resend after a lost ack
    await device.next((m) => m.seq === 3);
    expect(await telemetryCount(stack.database, { tenantId, deviceId: 'em-1' })).toBe(2);

    const q = await graphql(
      stack.apiUrl,
      `
        query ($t: ID!) {
          device(tenantId: $t, deviceId: "em-1") {
            reported
            telemetry(last: 5) {
              at
              values
            }
          }
        }
      `,
      {
        t: tenantId,
      },
    );
    expect(q.errors).toBeUndefined();
    expect(q.data.device.telemetry).toHaveLength(2);
    expect(new Date(q.data.device.telemetry[0].at).toISOString()).toBe('2026-11-22T08:00:01.000Z');
    expect(q.data.device.telemetry[0].values).toMatchObject({ energyKWh: 1.501, powerKW: 2.4 });
    expect(q.data.device.reported).toEqual({}); // samples are not twin state
    device.close();
  });

  it('batches the samples of many devices and acks each after its commit', async () => {
    const tenantId = uniqueTenant();
    const devices = await Promise.all(
      Array.from({ length: 20 }, (_, i) => connected(tenantId, `d${i}`)),
    );
    devices.forEach((d, i) =>
      d.send({
        type: 'telemetry',
        seq: 2,
        samples: [{ at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), values: { v: i } }],
      }),
    );
    await Promise.all(devices.map((d) => d.next((m) => m.seq === 2)));
    const [row] = await stack.database
      .sql`select count(*)::int as n from telemetry where tenant_id = ${tenantId}`;
    expect(row!.n).toBe(20);
    devices.forEach((d) => d.close());
  });

  it('refuses malformed telemetry with the field named', async () => {
    const device = await connected(uniqueTenant(), 'bad');
    device.send({ type: 'telemetry', seq: 2, samples: [{ at: 'yesterday', values: { v: 1 } }] });
    const answer = await device.next((m) => m.seq === 2);
    expect(answer).toMatchObject({ type: 'error', code: 'gateway:json.invalid-message' });
    expect(answer.message).toContain('samples.0.at');
    device.close();
  });
});

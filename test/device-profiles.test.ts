import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDevice } from './support/device-client';
import { eventually, graphql } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const sensorProfile = JSON.parse(
  readFileSync(
    new URL('../twins/profiles/examples/acme-climate-th1.json', import.meta.url),
    'utf8',
  ),
);
const PUT = `mutation ($t: ID!, $p: JSONObject!) { putDeviceProfile(tenantId: $t, profile: $p) { model vendor version } }`;

describe('device profiles as data', () => {
  it('a new model needs only its profile: reports arrive in canonical names and units, unknown fields kept and flagged', async () => {
    const tenantId = uniqueTenant();
    const put = await graphql(stack.apiUrl, PUT, { t: tenantId, p: sensorProfile });
    expect(put.data.putDeviceProfile).toEqual({
      model: 'acme-climate-th1',
      vendor: 'Acme Sensors',
      version: 1,
    });

    const reg = await graphql(
      stack.apiUrl,
      `
        mutation ($i: RegisterDeviceInput!) {
          registerDevice(input: $i) {
            token
          }
        }
      `,
      {
        i: { tenantId, deviceId: 'th-1', model: 'acme-climate-th1' },
      },
    );
    const device = await TestDevice.connect(stack.gatewayUrl);
    device.send({
      type: 'hello',
      seq: 1,
      tenant: tenantId,
      device: 'th-1',
      token: reg.data.registerDevice.token,
    });
    await device.next((m) => m.type === 'welcome');
    device.send({
      type: 'report',
      seq: 2,
      state: { tempF: 77, rh: 40, state: 'error', rssi: -61 },
    });
    expect(await device.next((m) => m.seq === 2)).toEqual({ type: 'ack', seq: 2 });

    const twin = await eventually(async () => {
      const q = await graphql(
        stack.apiUrl,
        `
          query ($t: ID!) {
            device(tenantId: $t, deviceId: "th-1") {
              reported
              flagged {
                field
                code
              }
            }
          }
        `,
        {
          t: tenantId,
        },
      );
      return q.data.device?.reported?.temperature !== undefined ? q.data.device : undefined;
    });
    expect(twin.reported).toEqual({
      temperature: 25,
      humidity: 40,
      status: 'faulted',
      statusRaw: 'error',
      rssi: -61,
    });
    expect(twin.flagged).toEqual([{ field: 'rssi', code: 'profile:field.unknown' }]);
    device.close();
  });

  it('refuses an invalid profile with the reasons, and versions a replaced one', async () => {
    const tenantId = uniqueTenant();
    const bad = { ...sensorProfile, mapping: { tempF: { field: 'temperature', unit: 'W' } } };
    const refused = await graphql(stack.apiUrl, PUT, { t: tenantId, p: bad });
    expect(refused.errors?.[0]?.extensions?.code).toBe('profile:invalid');
    expect(refused.errors?.[0]?.message).toMatch(/W.*cannot convert/);

    await graphql(stack.apiUrl, PUT, { t: tenantId, p: sensorProfile });
    const again = await graphql(stack.apiUrl, PUT, {
      t: tenantId,
      p: { ...sensorProfile, vendor: 'Acme Sensors GmbH' },
    });
    expect(again.data.putDeviceProfile).toMatchObject({ vendor: 'Acme Sensors GmbH', version: 2 });
    const listed = await graphql(
      stack.apiUrl,
      `
        query ($t: ID!) {
          deviceProfiles(tenantId: $t) {
            model
            version
          }
        }
      `,
      { t: tenantId },
    );
    expect(listed.data.deviceProfiles).toEqual([{ model: 'acme-climate-th1', version: 2 }]);
  });
});

import { readFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceCredentials } from '../db/schema';
import { PROVISION_DEVICES } from '../graphql/cli/commands/bulk-queries';
import { graphql } from './support/graphql';
import { bootPayload, connectStation, rpcCode } from './support/ocpp-station';
import { registerDevice, startTestStack, uniqueTenant, type TestStack } from './support/stack';

/**
 * One station identity in two tenants: the tenant-less path `/ocpp/{identity}` stays with the
 * identity's first registration, so a tenant cannot lock another tenant's station out of it by
 * registering the same identity (docs/security.md, "Station identities").
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

async function boots(identity: string, password: string, tenantId?: string) {
  const station = await connectStation(stack.ocppUrl, 'ocpp1.6', identity, password, tenantId);
  const answer = await station.call('BootNotification', bootPayload('ocpp1.6'));
  await station.close();
  return answer.status as string;
}

describe('a station identity registered by a second tenant', () => {
  it("leaves the bare path with the first tenant's station; the second one uses its tenant path", async () => {
    const identity = `cp-${Math.random().toString(36).slice(2, 10)}`;
    const [first, second] = [uniqueTenant('first'), uniqueTenant('second')];
    const firstToken = await registerDevice(stack, first, identity);
    expect(await boots(identity, firstToken)).toBe('Accepted');
    // The second tenant registers the same identity (it may not know it is taken).
    const secondToken = await registerDevice(stack, second, identity);

    // The first tenant's view: its station keeps the bare path, and has its tenant path too.
    expect(await boots(identity, firstToken)).toBe('Accepted');
    expect(await boots(identity, firstToken, first)).toBe('Accepted');

    // The second tenant's view: the bare path is not its station's (its password does not open
    // it, and nothing of the first tenant's station is shown); its tenant path is.
    expect(await rpcCode(connectStation(stack.ocppUrl, 'ocpp1.6', identity, secondToken))).toBe(
      401,
    );
    expect(await boots(identity, secondToken, second)).toBe('Accepted');
    // Neither tenant's password opens the other tenant's path.
    expect(
      await rpcCode(connectStation(stack.ocppUrl, 'ocpp1.6', identity, firstToken, second)),
    ).toBe(401);
    expect(
      await rpcCode(connectStation(stack.ocppUrl, 'ocpp1.6', identity, secondToken, first)),
    ).toBe(401);
  });

  it('gives the bare path to the next registration once the first is retired', async () => {
    const identity = `cp-${Math.random().toString(36).slice(2, 10)}`;
    const [first, second] = [uniqueTenant('first'), uniqueTenant('second')];
    await registerDevice(stack, first, identity);
    const secondToken = await registerDevice(stack, second, identity);
    expect(await rpcCode(connectStation(stack.ocppUrl, 'ocpp1.6', identity, secondToken))).toBe(
      401,
    );
    // What retirement does to the credential (the lifecycle tests cover the workflow).
    await stack.database.db
      .update(deviceCredentials)
      .set({ revokedAt: new Date() })
      .where(and(eq(deviceCredentials.tenantId, first), eq(deviceCredentials.deviceId, identity)));
    expect(await boots(identity, secondToken)).toBe('Accepted');
  });
});

describe('a station identity longer than OCPP allows', () => {
  const wallbox = JSON.parse(
    readFileSync(
      new URL('../twins/profiles/examples/acme-wallbox-ac22.json', import.meta.url),
      'utf8',
    ),
  );
  const REGISTER = `mutation ($i: RegisterDeviceInput!) {
    registerDevice(input: $i) { token warnings }
  }`;
  const register = (tenantId: string, deviceId: string, model?: string) =>
    graphql(stack.apiUrl, REGISTER, { i: { tenantId, deviceId, ...(model ? { model } : {}) } });
  const idOf = (length: number) => `cp-${'x'.repeat(length - 3)}`;

  it('is refused at registration when the model speaks OCPP; 48 characters connect', async () => {
    const tenantId = uniqueTenant('long');
    const put = await graphql(
      stack.apiUrl,
      'mutation ($t: ID!, $p: JSONObject!) { putDeviceProfile(tenantId: $t, profile: $p) { model } }',
      { t: tenantId, p: wallbox },
    );
    expect(put.errors).toBeUndefined();

    const refused = await register(tenantId, idOf(49), 'acme-wallbox-ac22');
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'api:input.ocpp-identity-too-long',
      field: 'deviceId',
      max: 48,
    });
    expect(refused.errors?.[0]?.message).toContain('49 characters');
    // Nothing was registered: no credential, no twin.
    const credentials = await stack.database.db
      .select()
      .from(deviceCredentials)
      .where(
        and(eq(deviceCredentials.tenantId, tenantId), eq(deviceCredentials.deviceId, idOf(49))),
      );
    expect(credentials).toEqual([]);

    const longest = await register(tenantId, idOf(48), 'acme-wallbox-ac22');
    expect(longest.errors).toBeUndefined();
    expect(longest.data.registerDevice.warnings).toEqual([]);
    // A password a whitepaper station keeps: at most 20 bytes, set as their hex digits, which
    // it decodes and presents.
    const { token } = longest.data.registerDevice;
    expect(token).toMatch(/^[A-Za-z0-9]{20}$/);
    const authorizationKey = Buffer.from(token, 'utf8').toString('hex');
    expect(await boots(idOf(48), Buffer.from(authorizationKey, 'hex').toString(), tenantId)).toBe(
      'Accepted',
    );
  });

  it('is refused when provisioned, alone or in bulk, for a model that speaks OCPP', async () => {
    const tenantId = uniqueTenant('long');
    await graphql(
      stack.apiUrl,
      'mutation ($t: ID!, $p: JSONObject!) { putDeviceProfile(tenantId: $t, profile: $p) { model } }',
      { t: tenantId, p: wallbox },
    );
    const PROVISION = `mutation ($i: ProvisionDeviceInput!) {
      provisionDevice(input: $i) { created warnings secret } }`;
    const refused = await graphql(stack.apiUrl, PROVISION, {
      i: { tenantId, serial: idOf(49), model: 'acme-wallbox-ac22' },
    });
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'api:input.ocpp-identity-too-long',
      field: 'serial',
      max: 48,
    });
    const warned = await graphql(stack.apiUrl, PROVISION, { i: { tenantId, serial: idOf(50) } });
    expect(warned.data.provisionDevice).toEqual({
      created: true,
      warnings: [expect.stringContaining('serial is 50 characters')],
      secret: expect.stringMatching(/^dpl_/),
    });
    // A station's secret is a password a whitepaper 1.6 station can keep (20 bytes at most).
    const station = await graphql(stack.apiUrl, PROVISION, {
      i: { tenantId, serial: 'cp-station-1', model: 'acme-wallbox-ac22' },
    });
    expect(station.data.provisionDevice.secret).toMatch(/^[A-Za-z0-9]{20}$/);
    const bulk = await graphql(stack.apiUrl, PROVISION_DEVICES, {
      i: {
        tenantId,
        format: 'CSV',
        content: ['serial,method', `${idOf(49)},credentials`, `${idOf(48)},credentials`].join('\n'),
        defaults: { model: 'acme-wallbox-ac22' },
      },
    });
    expect(bulk.errors).toBeUndefined();
    expect(bulk.data.provisionDevices).toMatchObject({
      total: 2,
      accepted: 1,
      identities: [{ serial: idOf(48), secret: expect.stringMatching(/^[A-Za-z0-9]{20}$/) }],
      refused: [
        {
          line: 2,
          serial: idOf(49),
          reason: expect.stringContaining("serial is 49 characters; an OCPP station's identity"),
        },
      ],
    });
  });

  it('is registered with a warning when no profile says which protocol the device speaks', async () => {
    const tenantId = uniqueTenant('long');
    const registered = await register(tenantId, idOf(49));
    expect(registered.errors).toBeUndefined();
    expect(registered.data.registerDevice.warnings).toEqual([
      expect.stringContaining('at most 48'),
    ]);
  });
});

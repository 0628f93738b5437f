import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from './support/auth';
import { eventually, graphql, graphqlOk } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

// The audit trail as an auditor reads it: from the twins, with who, why, before and after.

let stack: TestStack;
const tenantId = uniqueTenant('audit');

const ok = (query: string, variables: Record<string, unknown> = {}) =>
  graphqlOk(stack.apiUrl, query, variables);

const ENTRIES =
  'auditEntries(first: 50) { nodes { actor role operation subject reason before after outcome } }';

beforeAll(async () => {
  stack = await startTestStack();
  await ok('mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }', {
    i: { tenantId, deviceId: 'meter-1' },
  });
  await ok('mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename } }', {
    i: { tenantId, customerId: 'c1', name: 'C' },
  });
  await ok('mutation ($i: CreateSiteInput!) { createSite(input: $i) { __typename } }', {
    i: { tenantId, siteId: 's1', customerId: 'c1', name: 'S' },
  });
  await ok('mutation ($i: CreateAssetInput!) { createAsset(input: $i) { __typename } }', {
    i: { tenantId, assetId: 'a1', siteId: 's1', name: 'A' },
  });
  await ok('mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { __typename } }', {
    i: { tenantId, assetId: 'a1', deviceId: 'meter-1' },
  });
  for (const interval of [60, 30])
    await ok('mutation ($i: UpdateDesiredInput!) { updateDesired(input: $i) { version } }', {
      i: { tenantId, deviceId: 'meter-1', patch: { interval } },
    });
  await ok('mutation ($i: ProvisionDeviceInput!) { provisionDevice(input: $i) { created } }', {
    i: { tenantId, serial: 'SN-9' },
  });
});
afterAll(() => stack?.stop());

describe('the audit trail', () => {
  it("shows a device's API mutations and its twin's own changes, with actor, before and after", async () => {
    const device = await eventually(async () => {
      const d = (
        await ok(`query ($t: ID!) { device(tenantId: $t, deviceId: "meter-1") { ${ENTRIES} } }`, {
          t: tenantId,
        })
      ).device;
      return d.auditEntries.nodes.length >= 8 ? d : undefined;
    });
    const entries = device.auditEntries.nodes as Array<Record<string, any>>;
    expect(entries.every((e) => e.subject === 'device:meter-1')).toBe(true);
    const api = entries.filter((e) => e.role !== 'twin').map((e) => e.operation);
    expect(api).toEqual(['updateDesired', 'updateDesired', 'bindDevice', 'registerDevice']);
    const desired = entries.filter((e) => e.operation === 'device.desired-changed');
    expect(desired.map((e) => [e.actor, e.before, e.after])).toEqual([
      ['user:test-admin', { interval: 60 }, { interval: 30 }],
      ['user:test-admin', { interval: null }, { interval: 60 }],
    ]);
    expect(entries.find((e) => e.operation === 'device.bound')).toMatchObject({
      after: { assetId: 'a1', siteId: 's1', customerId: 'c1' },
    });
  });

  it('shows the asset and site entries, and each step of a provisioning', async () => {
    const data = await ok(
      `query ($t: ID!) { asset(tenantId: $t, assetId: "a1") { ${ENTRIES} }
        site(tenantId: $t, siteId: "s1") { ${ENTRIES} } }`,
      { t: tenantId },
    );
    expect(data.asset.auditEntries.nodes.map((e: any) => e.operation)).toEqual(['createAsset']);
    expect(data.site.auditEntries.nodes.map((e: any) => e.operation)).toEqual(['createSite']);
    const provisioning = await eventually(async () => {
      const d = await ok(
        `query ($t: ID!) { auditEntries(tenantId: $t, filter: { subject: "device:SN-9", api: false }) { nodes { operation actor before after } } }`,
        { t: tenantId },
      );
      const steps = d.auditEntries.nodes.filter(
        (e: any) => e.operation === 'provisioning.status-changed',
      );
      return steps.some((e: any) => e.after.status === 'awaiting-activation') ? steps : undefined;
    });
    expect(provisioning.at(-1)).toMatchObject({ actor: 'user:test-admin', before: null });
  });

  it('narrows the trail to a period', async () => {
    const later = new Date(Date.now() + 60_000).toISOString();
    const d = await ok(
      `query ($t: ID!, $from: DateTime, $to: DateTime) {
        before: auditEntries(tenantId: $t, filter: { to: $to }) { nodes { operation } }
        after: auditEntries(tenantId: $t, filter: { from: $from }) { nodes { operation } } }`,
      { t: tenantId, from: later, to: later },
    );
    expect(d.after.nodes).toEqual([]);
    expect(d.before.nodes.map((e: any) => e.operation)).toContain('registerDevice');
  });

  it('is read by the tenant administrator only', async () => {
    const res = await graphql(
      stack.apiUrl,
      `query ($t: ID!) { device(tenantId: $t, deviceId: "meter-1") { deviceId ${ENTRIES} } }`,
      { t: tenantId },
      await bearer('viewer', tenantId),
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('api:forbidden');
  });
});

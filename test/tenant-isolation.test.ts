import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../graphql/schema/graph/global-id';
import { schema } from '../graphql/schema';
import { bearer } from './support/auth';
import { eventually, graphql, graphqlOk } from './support/graphql';
import { requestFor, rootFields } from './support/schema-walk';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

// A walk over the whole schema as tenant A's administrator, aimed at tenant B: every query,
// node lookup, mutation and subscription must answer for B's real objects exactly as for
// objects that do not exist — nothing tells A what B has.

let stack: TestStack;
const A = uniqueTenant('tenant-a');
const B = uniqueTenant('tenant-b');
/** B's real objects, by argument name. */
const real = {
  deviceId: 'dev-b',
  serial: 'sn-b',
  customerId: 'cust-b',
  siteId: 'site-b',
  assetId: 'asset-b',
  model: 'model-b',
  rolloutId: 'rollout-b',
  backendId: 'backend-b',
  bulkId: 'bulk-b',
  keyId: 'key-b',
};
/** Ids nobody has, of the same shape. */
const missing = Object.fromEntries(
  Object.entries(real).map(([k, v]) => [k, v.replace('-b', '-nobody')]),
) as typeof real;

const ok = (query: string, variables: Record<string, unknown> = {}) =>
  graphqlOk(stack.apiUrl, query, variables);

beforeAll(async () => {
  stack = await startTestStack();
  // B's fleet, made by the platform administrator.
  await ok('mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }', {
    i: { tenantId: B, deviceId: real.deviceId },
  });
  await ok('mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename } }', {
    i: { tenantId: B, customerId: real.customerId, name: 'B corp' },
  });
  await ok('mutation ($i: CreateSiteInput!) { createSite(input: $i) { __typename } }', {
    i: { tenantId: B, siteId: real.siteId, customerId: real.customerId, name: 'B depot' },
  });
  await ok('mutation ($i: CreateAssetInput!) { createAsset(input: $i) { __typename } }', {
    i: { tenantId: B, assetId: real.assetId, siteId: real.siteId, name: 'B bay' },
  });
  await ok('mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { __typename } }', {
    i: { tenantId: B, assetId: real.assetId, deviceId: real.deviceId },
  });
  await ok('mutation ($i: ProvisionDeviceInput!) { provisionDevice(input: $i) { created } }', {
    i: { tenantId: B, serial: real.serial },
  });
  const key = await ok(
    'mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { keyId } } }',
    { i: { tenantId: B, name: 'b partner', role: 'PARTNER' } },
  );
  real.keyId = key.createApiKey.apiKey.keyId;
  // B's device is projected before the walk starts.
  await eventually(async () => {
    const d = await graphql(
      stack.apiUrl,
      'query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { asset { assetId } } }',
      { t: B, d: real.deviceId },
    );
    return d.data?.device?.asset ? true : undefined;
  });
});
afterAll(() => stack?.stop());

/** An answer with the ids it was asked about blanked out, to compare two answers. */
function shape(answer: unknown, ids: Record<string, string>): string {
  let text = JSON.stringify(answer);
  for (const id of Object.values(ids)) text = text.split(id).join('<id>');
  return text;
}

describe('two tenants', () => {
  const fields = rootFields(schema);

  it("answers every query about another tenant's objects exactly as about missing ones", async () => {
    const asA = await bearer('tenant-admin', A);
    let walked = 0;
    for (const field of fields.query) {
      if (field.name === 'me' || field.name === 'node') continue;
      const ask = async (ids: typeof real) => {
        const { query, variables } = requestFor('query', field, { tenantId: B, ...ids });
        return shape(await graphql(stack.apiUrl, query, variables, asA), ids);
      };
      expect(await ask(real), field.name).toEqual(await ask(missing));
      walked++;
    }
    expect(walked).toBe(fields.query.length - 2);

    // The same questions from B's own administrator do tell the objects apart (the walk can fail).
    const asB = await bearer('tenant-admin', B);
    const own = async (ids: typeof real) =>
      shape(
        await graphql(
          stack.apiUrl,
          'query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { deviceId } }',
          { t: B, d: ids.deviceId },
          asB,
        ),
        ids,
      );
    expect(await own(real)).not.toEqual(await own(missing));
  });

  it('finds no node of another tenant by its global id', async () => {
    const asA = await bearer('viewer', A);
    for (const [type, id] of [
      ['Device', real.deviceId],
      ['Asset', real.assetId],
      ['Site', real.siteId],
      ['Customer', real.customerId],
    ] as const) {
      const res = await graphql(
        stack.apiUrl,
        'query ($id: ID!) { node(id: $id) { __typename } }',
        { id: globalId(type, B, id) },
        asA,
      );
      expect(res, type).toEqual({ data: { node: null } });
      const own = await graphql(
        stack.apiUrl,
        'query ($id: ID!) { node(id: $id) { __typename } }',
        { id: globalId(type, B, id) },
        await bearer('viewer', B),
      );
      expect(own.data.node, type).toEqual({ __typename: type });
    }
  });

  it("refuses every mutation on another tenant's objects exactly as on missing ones, and changes nothing", async () => {
    const asA = await bearer('tenant-admin', A);
    for (const field of fields.mutation) {
      const ask = async (ids: typeof real) => {
        const { query, variables } = requestFor('mutation', field, { tenantId: B, ...ids });
        return graphql(stack.apiUrl, query, variables, asA);
      };
      const [onReal, onMissing] = [await ask(real), await ask(missing)];
      expect(
        onReal.errors?.map((e) => e.extensions?.code),
        field.name,
      ).toEqual(['api:tenant.not-found']);
      expect(shape(onReal, real), field.name).toEqual(shape(onMissing, missing));
    }
    const after = await ok(
      `query ($t: ID!, $d: ID!, $a: ID!) {
        device(tenantId: $t, deviceId: $d) { lifecycle { state } tags desired asset { assetId } }
        asset(tenantId: $t, assetId: $a) { name }
        apiKeys(tenantId: $t) { revokedAt } }`,
      { t: B, d: real.deviceId, a: real.assetId },
    );
    expect(after).toEqual({
      device: {
        lifecycle: { state: 'PROVISIONED' },
        tags: [],
        desired: {},
        asset: { assetId: real.assetId },
      },
      asset: { name: 'B bay' },
      apiKeys: [{ revokedAt: null }],
    });
  });

  it("never delivers another tenant's twin changes to a subscriber", async () => {
    const events: Record<'own' | 'other', unknown[]> = { own: [], other: [] };
    const client = createClient({
      url: stack.apiUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: await bearer('tenant-admin', A),
    });
    const query =
      'subscription ($t: ID!) { deviceChanged(tenantId: $t) { kind device { tenantId deviceId } } }';
    const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    // B's subscriptions first (every change subscription of the schema, with B's ids and
    // without): once A's own one is seen live, B's were registered before it.
    const foreign = [
      'subscription ($t: ID!) { deviceChanged(tenantId: $t) { kind } }',
      'subscription ($t: ID!, $d: ID) { deviceChanged(tenantId: $t, deviceId: $d) { kind } }',
      'subscription ($t: ID!) { lifecycleChanged(tenantId: $t) { to } }',
      'subscription ($t: ID!, $a: ID) { assetChanged(tenantId: $t, assetId: $a) { kind } }',
      'subscription ($t: ID!, $s: ID) { assetChanged(tenantId: $t, siteId: $s) { kind } }',
    ].map((q) =>
      client.subscribe(
        { query: q, variables: { t: B, d: real.deviceId, a: real.assetId, s: real.siteId } },
        { next: (v) => events.other.push(v), error: () => {}, complete: () => {} },
      ),
    );
    const stops = [
      ...foreign,
      client.subscribe(
        { query, variables: { t: A } },
        { next: (v) => events.own.push(v), error: () => {}, complete: () => {} },
      ),
    ];
    await connected;
    const changeA = (n: number) =>
      ok('mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }', {
        i: { tenantId: A, deviceId: `dev-a-${n}` },
      });
    try {
      let n = 0;
      await eventually(async () => (await changeA(n++), events.own.length > 0 ? true : undefined));
      // B's device changes, then A's: once A's change arrives, B's has been published too.
      await ok('mutation ($i: SetDeviceTagsInput!) { setDeviceTags(input: $i) { version } }', {
        i: { tenantId: B, deviceId: real.deviceId, tags: ['seen-by-b-only'] },
      });
      await ok(
        'mutation ($i: TransitionDeviceInput!) { transitionDevice(input: $i) { version } }',
        {
          i: { tenantId: B, deviceId: real.deviceId, to: 'ACTIVE', reason: 'b only' },
        },
      );
      await ok(
        'mutation ($i: SetAssetAttributesInput!) { setAssetAttributes(input: $i) { __typename } }',
        { i: { tenantId: B, assetId: real.assetId, attributes: { b: 1 } } },
      );
      const seen = events.own.length;
      await changeA(1000);
      await eventually(async () =>
        events.own.some((e: any) => e.data.deviceChanged.device.deviceId === 'dev-a-1000')
          ? true
          : undefined,
      );
      expect(events.own.length).toBeGreaterThan(seen);
      for (const e of events.own as any[]) expect(e.data.deviceChanged.device.tenantId).toBe(A);
      expect(events.other).toEqual([]);
    } finally {
      for (const stop of stops) stop();
      await client.dispose();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetWorkflowId } from '../twins/ids';
import { eventually } from './support/graphql';
import { startTestStack, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ offlineGraceMs: 1_500 });
});
afterAll(() => stack?.stop());

const WALK = `query ($t: ID!, $c: ID!) { customer(tenantId: $t, customerId: $c) {
  id name sites { totalCount nodes { siteId tags customer { customerId }
    assets { nodes { id assetId name kind attributes tags health workflowId version
      site { siteId } customer { customerId } device { deviceId } bindingHistory { deviceId } } } } } } }`;
const NODE = `query ($id: ID!) { node(id: $id) { __typename id
  ... on Customer { customerId } ... on Site { siteId } ... on Asset { assetId } ... on Device { deviceId } } }`;
const ASSET = `query ($t: ID!, $a: ID!) { asset(tenantId: $t, assetId: $a) { health version
  device { deviceId connectivity { status } }
  bindingHistory { deviceId from to device { deviceId } } } }`;
const DEVICE = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) {
  id asset { assetId } site { siteId } customer { customerId } connectivity { status } } }`;
const SET_ATTRIBUTES = `mutation ($i: SetAssetAttributesInput!) { setAssetAttributes(input: $i) {
  version asset { name attributes tags } } }`;

describe('the twin graph through GraphQL', () => {
  it('creates customer, site and asset and walks the graph both ways', async () => {
    const g = new TwinGraph(stack);
    await g.customer('fleetco', 'FleetCo');
    await g.site('depot', 'fleetco', ['north', 'ev', 'north']);
    const created = await g.asset('bay-1', 'depot', {
      kind: 'charger-bay',
      attributes: { ratedKw: 22, bay: { number: 1 } },
      tags: ['ac'],
    });
    expect(created.createAsset).toMatchObject({ version: 1, asset: { health: 'DOWN' } });

    const { customer } = await g.ok(WALK, { c: 'fleetco' });
    expect(customer.name).toBe('FleetCo');
    expect(customer.sites.totalCount).toBe(1);
    const site = customer.sites.nodes[0];
    expect(site).toMatchObject({ siteId: 'depot', tags: ['ev', 'north'] });
    expect(site.customer.customerId).toBe('fleetco');
    expect(site.assets.nodes).toEqual([
      {
        id: Buffer.from(`Asset:${g.tenantId}:bay-1`).toString('base64'),
        assetId: 'bay-1',
        name: 'Asset bay-1',
        kind: 'charger-bay',
        attributes: { ratedKw: 22, bay: { number: 1 } },
        tags: ['ac'],
        health: 'DOWN',
        workflowId: assetWorkflowId({ tenantId: g.tenantId, assetId: 'bay-1' }),
        version: 1,
        site: { siteId: 'depot' },
        customer: { customerId: 'fleetco' },
        device: null,
        bindingHistory: [],
      },
    ]);

    for (const [type, field, id] of [
      ['Customer', 'customerId', 'fleetco'],
      ['Site', 'siteId', 'depot'],
      ['Asset', 'assetId', 'bay-1'],
    ]) {
      const globalId = Buffer.from(`${type}:${g.tenantId}:${id}`).toString('base64');
      expect((await g.ok(NODE, { id: globalId })).node).toEqual({
        __typename: type,
        id: globalId,
        [field!]: id,
      });
    }
    const missing = Buffer.from(`Asset:${g.tenantId}:nope`).toString('base64');
    expect((await g.ok(NODE, { id: missing })).node).toBeNull();
    expect(await g.refused(NODE, { id: 'bm9wZQ==' })).toBe('api:input.invalid-global-id');

    const handle = stack.temporal.workflow.getHandle(
      assetWorkflowId({ tenantId: g.tenantId, assetId: 'bay-1' }),
    );
    const description = await handle.describe();
    expect(description.searchAttributes).toMatchObject({
      TenantId: [g.tenantId],
      AssetId: ['bay-1'],
      SiteId: ['depot'],
    });
    expect(await description.staticSummary()).toBe(`Asset twin bay-1 of tenant ${g.tenantId}`);
  });

  it('merges asset attributes and refuses what cannot be created', async () => {
    const g = new TwinGraph(stack);
    await g.customer('c1');
    await g.site('s1', 'c1');
    await g.asset('a1', 's1', { attributes: { ratedKw: 22, bay: { number: 1, floor: 2 } } });
    const { setAssetAttributes } = await g.ok(SET_ATTRIBUTES, {
      i: {
        tenantId: g.tenantId,
        assetId: 'a1',
        attributes: { ratedKw: 11, bay: { floor: null } },
        name: 'Bay one',
        tags: ['dc'],
      },
    });
    expect(setAssetAttributes).toEqual({
      version: 2,
      asset: { name: 'Bay one', attributes: { ratedKw: 11, bay: { number: 1 } }, tags: ['dc'] },
    });

    const codes = await Promise.all([
      g.refused(
        `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`,
        {
          i: { tenantId: g.tenantId, customerId: 'c1', name: 'again' },
        },
      ),
      g.refused(`mutation ($i: CreateSiteInput!) { createSite(input: $i) { site { id } } }`, {
        i: { tenantId: g.tenantId, siteId: 's2', customerId: 'nobody', name: 'x' },
      }),
      g.refused(`mutation ($i: CreateAssetInput!) { createAsset(input: $i) { version } }`, {
        i: { tenantId: g.tenantId, assetId: 'a2', siteId: 'nowhere', name: 'x' },
      }),
      g.refused(`mutation ($i: CreateAssetInput!) { createAsset(input: $i) { version } }`, {
        i: { tenantId: g.tenantId, assetId: 'a1', siteId: 's1', name: 'again' },
      }),
      g.refused(`mutation ($i: CreateAssetInput!) { createAsset(input: $i) { version } }`, {
        i: { tenantId: g.tenantId, assetId: 'has space', siteId: 's1', name: 'x' },
      }),
    ]);
    expect(codes).toEqual([
      'graph:customer.already-exists',
      'graph:customer.not-found',
      'graph:site.not-found',
      'twin:asset.already-exists',
      'api:input.invalid-id',
    ]);
  });
});

describe('binding devices to assets', () => {
  it('replacing a device keeps the asset’s history, and health follows the bound device', async () => {
    const g = new TwinGraph(stack);
    await g.customer('c1');
    await g.site('s1', 'c1');
    await g.asset('bay', 's1');
    const tokenA = await g.register('dev-a', 'wallbox-x');
    const tokenB = await g.register('dev-b', 'wallbox-x');
    const asset = async () => (await g.ok(ASSET, { a: 'bay' })).asset;
    const healthIs = (health: string) =>
      eventually(async () => ((await asset()).health === health ? asset() : undefined));

    const t0 = new Date().toISOString();
    const boundA = await g.bind('bay', 'dev-a');
    expect(boundA.errors).toBeUndefined();
    // A registered device that never connected: nothing is known about it yet.
    expect(boundA.data.bindDevice.asset).toEqual({
      health: 'UNKNOWN',
      device: { deviceId: 'dev-a' },
    });
    expect((await g.ok(DEVICE, { d: 'dev-a' })).device).toMatchObject({
      asset: { assetId: 'bay' },
      site: { siteId: 's1' },
      customer: { customerId: 'c1' },
    });

    const deviceA = await g.connect('dev-a', tokenA);
    await healthIs('OK');
    deviceA.close();
    const down = await healthIs('DOWN');
    expect(down.device).toEqual({ deviceId: 'dev-a', connectivity: { status: 'OFFLINE' } });

    const t1 = new Date().toISOString();
    const unbound = await g.unbind('bay');
    expect(unbound.data.unbindDevice.asset).toEqual({ health: 'DOWN', device: null });
    expect((await g.ok(DEVICE, { d: 'dev-a' })).device).toMatchObject({
      asset: null,
      site: null,
      customer: null,
    });
    const t2 = new Date().toISOString();
    expect((await g.bind('bay', 'dev-b')).data.bindDevice.asset.device).toEqual({
      deviceId: 'dev-b',
    });
    const deviceB = await g.connect('dev-b', tokenB);
    const ok = await healthIs('OK');
    expect(ok.device).toEqual({ deviceId: 'dev-b', connectivity: { status: 'ONLINE' } });

    const [a, b, ...more] = ok.bindingHistory;
    expect(more).toEqual([]);
    expect(a).toMatchObject({ deviceId: 'dev-a', device: { deviceId: 'dev-a' } });
    expect(b).toMatchObject({ deviceId: 'dev-b', to: null, device: { deviceId: 'dev-b' } });
    expect(t0 <= a.from && a.from <= t1).toBe(true);
    expect(t1 <= a.to && a.to <= t2).toBe(true);
    expect(a.to <= b.from && b.from >= t2).toBe(true);
    deviceB.close();
  });

  it('a device is bound to one asset at a time, and an asset holds one device', async () => {
    const g = new TwinGraph(stack);
    await g.customer('c1');
    await g.site('s1', 'c1');
    await g.asset('a1', 's1');
    await g.asset('a2', 's1');
    await g.register('d1');
    await g.register('d2');
    expect((await g.bind('a1', 'd1')).errors).toBeUndefined();

    const code = async (res: Promise<{ errors?: Array<{ extensions?: { code?: string } }> }>) =>
      (await res).errors?.[0]?.extensions?.code;
    expect(await code(g.bind('a2', 'd1'))).toBe('twin:binding.device-bound-elsewhere');
    expect(await code(g.bind('a1', 'd2'))).toBe('twin:asset.already-has-device');
    expect(await code(g.unbind('a2'))).toBe('twin:asset.device-not-bound');
    expect(await code(g.unbind('a1', 'd2'))).toBe('twin:asset.device-not-bound');
    expect(await code(g.bind('a2', 'ghost'))).toBe('twin:device.not-found');
    expect(await code(g.bind('no-such-asset', 'd2'))).toBe('twin:asset.not-found');

    const a2 = (await g.ok(ASSET, { a: 'a2' })).asset;
    expect(a2).toMatchObject({ device: null, bindingHistory: [], version: 1 });
    expect((await g.ok(DEVICE, { d: 'd1' })).device.asset).toEqual({ assetId: 'a1' });

    // Once a1 lets it go, a2 may take it.
    expect((await g.unbind('a1', 'd1')).errors).toBeUndefined();
    expect((await g.bind('a2', 'd1')).errors).toBeUndefined();
    expect((await g.ok(DEVICE, { d: 'd1' })).device.asset).toEqual({ assetId: 'a2' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/graphql';
import { startTestStack, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';
import type { TestDevice } from './support/device-client';

let stack: TestStack;
let g: TwinGraph;
const open: TestDevice[] = [];
const ids = (n: number[]) => n.map((i) => `d-0${i}`);

/**
 * One tenant for every listing test: customers c1, c2; sites s1 (c1), s2 (c2); assets
 * a-01..a-03 at s1 and a-04 at s2 with devices d-01..d-04 bound; d-05..d-07 unbound.
 * Models: odd devices x, even y. d-01 (firmware 1.0) and d-02 (2.0) are online; d-07 retired.
 */
beforeAll(async () => {
  stack = await startTestStack();
  g = new TwinGraph(stack);
  await g.customer('c1');
  await g.customer('c2');
  await g.site('s1', 'c1');
  await g.site('s2', 'c2');
  const tokens: string[] = [];
  for (let i = 1; i <= 7; i++) tokens[i] = await g.register(`d-0${i}`, i % 2 ? 'x' : 'y');
  for (let i = 1; i <= 4; i++) {
    await g.asset(`a-0${i}`, i < 4 ? 's1' : 's2');
    expect((await g.bind(`a-0${i}`, `d-0${i}`)).errors).toBeUndefined();
  }
  open.push(await g.connect('d-01', tokens[1]!, '1.0'), await g.connect('d-02', tokens[2]!, '2.0'));
  await g.ok(`mutation ($i: TransitionDeviceInput!) { transitionDevice(input: $i) { version } }`, {
    i: { tenantId: g.tenantId, deviceId: 'd-07', to: 'RETIRED', reason: 'scrapped' },
  });
  await eventually(async () => {
    const { assets } = await g.ok(
      `query ($t: ID!) { assets(tenantId: $t, filter: { health: [OK] }) { totalCount } }`,
    );
    return assets.totalCount === 2 ? true : undefined;
  });
});
afterAll(async () => {
  for (const device of open) device.close();
  await stack?.stop();
});

const DEVICES = `query ($t: ID!, $f: DeviceFilter, $first: Int, $after: String) {
  devices(tenantId: $t, filter: $f, first: $first, after: $after) {
    totalCount nodes { deviceId } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;

interface Page {
  totalCount: number;
  nodes: Array<{ deviceId: string }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
}

/** Follows `endCursor` until the last page; returns the ids of each page. */
async function allPages(filter: Record<string, unknown> | null, first: number) {
  const pages: string[][] = [];
  let after: string | null = null;
  for (;;) {
    const { devices }: { devices: Page } = await g.ok(DEVICES, { f: filter, first, after });
    expect(devices.pageInfo.hasPreviousPage).toBe(after !== null);
    pages.push(devices.nodes.map((n) => n.deviceId));
    if (!devices.pageInfo.hasNextPage) return { pages, totalCount: devices.totalCount };
    after = devices.pageInfo.endCursor;
  }
}

describe('device listings', () => {
  it('returns every device exactly once across pages', async () => {
    const { pages, totalCount } = await allPages(null, 3);
    expect(pages).toEqual([ids([1, 2, 3]), ids([4, 5, 6]), ids([7])]);
    expect(totalCount).toBe(7);
    const offline = await allPages({ online: false }, 2);
    expect(offline).toEqual({ pages: [ids([3, 4]), ids([5, 6]), ids([7])], totalCount: 5 });
  });

  it.each([
    [{ siteId: 's1' }, [1, 2, 3]],
    [{ customerId: 'c2' }, [4]],
    [{ assetId: 'a-02' }, [2]],
    [{ online: true }, [1, 2]],
    [{ model: 'y' }, [2, 4, 6]],
    [{ firmware: '2.0' }, [2]],
    [{ lifecycle: ['ACTIVE'] }, [1, 2]],
    [{ lifecycle: ['PROVISIONED', 'RETIRED'] }, [3, 4, 5, 6, 7]],
    [{ siteId: 's1', online: true, model: 'x' }, [1]],
    [{ siteId: 's2', online: true }, []],
  ])('filter %j → devices %j', async (filter, want) => {
    const { devices } = await g.ok(DEVICES, { f: filter, first: 50 });
    expect(devices.nodes.map((n: { deviceId: string }) => n.deviceId)).toEqual(ids(want));
    expect(devices.totalCount).toBe(want.length);
  });

  it('refuses a page size out of range and a cursor it did not issue', async () => {
    expect(await g.refused(DEVICES, { first: 0 })).toBe('api:input.invalid-page-size');
    expect(await g.refused(DEVICES, { after: 'garbage' })).toBe('api:input.invalid-cursor');
  });
});

describe('assets, sites, customers and the fleet summary', () => {
  const names = (c: { nodes: Array<Record<string, string>> }, key: string) =>
    c.nodes.map((n) => n[key]);

  it('lists and filters assets, sites and customers, and pages nested lists', async () => {
    const data = await g.ok(`query ($t: ID!) {
      atS1: assets(tenantId: $t, filter: { siteId: "s1" }) { nodes { assetId } }
      ok: assets(tenantId: $t, filter: { health: [OK] }) { nodes { assetId } }
      ofC2: assets(tenantId: $t, filter: { customerId: "c2" }) { nodes { assetId } }
      sites(tenantId: $t, filter: { customerId: "c1" }) { nodes { siteId } }
      customers(tenantId: $t) { totalCount nodes { customerId sites { nodes { siteId } } } }
      site(tenantId: $t, siteId: "s1") {
        devices { totalCount nodes { deviceId } }
        firstTwo: assets(first: 2) { totalCount nodes { assetId } pageInfo { hasNextPage endCursor } } } }`);
    expect(names(data.atS1, 'assetId')).toEqual(['a-01', 'a-02', 'a-03']);
    expect(names(data.ok, 'assetId')).toEqual(['a-01', 'a-02']);
    expect(names(data.ofC2, 'assetId')).toEqual(['a-04']);
    expect(names(data.sites, 'siteId')).toEqual(['s1']);
    expect(data.customers.totalCount).toBe(2);
    expect(data.customers.nodes.map((c: any) => [c.customerId, names(c.sites, 'siteId')])).toEqual([
      ['c1', ['s1']],
      ['c2', ['s2']],
    ]);
    expect(data.site.devices).toEqual({
      totalCount: 3,
      nodes: [1, 2, 3].map((i) => ({ deviceId: `d-0${i}` })),
    });
    expect(data.site.firstTwo).toMatchObject({
      totalCount: 3,
      nodes: [{ assetId: 'a-01' }, { assetId: 'a-02' }],
      pageInfo: { hasNextPage: true },
    });
    const rest = await g.ok(
      `query ($t: ID!, $after: String) { site(tenantId: $t, siteId: "s1") { assets(first: 2, after: $after) { nodes { assetId } pageInfo { hasNextPage } } } }`,
      { after: data.site.firstTwo.pageInfo.endCursor },
    );
    expect(rest.site.assets).toEqual({
      nodes: [{ assetId: 'a-03' }],
      pageInfo: { hasNextPage: false },
    });
  });

  const SUMMARY = `query ($t: ID!, $s: ID, $c: ID) { fleetSummary(tenantId: $t, siteId: $s, customerId: $c) {
    total byLifecycle { lifecycle count } byConnectivity { status count }
    byModel { value count } byFirmware { value count } } }`;

  it('counts the fleet of a tenant, a site and a customer', async () => {
    expect((await g.ok(SUMMARY)).fleetSummary).toEqual({
      total: 7,
      byLifecycle: [
        { lifecycle: 'PROVISIONED', count: 4 },
        { lifecycle: 'ACTIVE', count: 2 },
        { lifecycle: 'RETIRED', count: 1 },
      ],
      byConnectivity: [
        { status: 'UNKNOWN', count: 5 },
        { status: 'ONLINE', count: 2 },
      ],
      byModel: [
        { value: 'x', count: 4 },
        { value: 'y', count: 3 },
      ],
      byFirmware: [
        { value: null, count: 5 },
        { value: '1.0', count: 1 },
        { value: '2.0', count: 1 },
      ],
    });
    expect((await g.ok(SUMMARY, { s: 's1' })).fleetSummary).toMatchObject({
      total: 3,
      byLifecycle: [
        { lifecycle: 'ACTIVE', count: 2 },
        { lifecycle: 'PROVISIONED', count: 1 },
      ],
      byModel: [
        { value: 'x', count: 2 },
        { value: 'y', count: 1 },
      ],
    });
    expect((await g.ok(SUMMARY, { c: 'c2' })).fleetSummary).toEqual({
      total: 1,
      byLifecycle: [{ lifecycle: 'PROVISIONED', count: 1 }],
      byConnectivity: [{ status: 'UNKNOWN', count: 1 }],
      byModel: [{ value: 'y', count: 1 }],
      byFirmware: [{ value: null, count: 1 }],
    });
    const empty = (await g.ok(SUMMARY, { s: 'nowhere' })).fleetSummary;
    expect(empty).toEqual({
      total: 0,
      byLifecycle: [],
      byConnectivity: [],
      byModel: [],
      byFirmware: [],
    });
  });
});

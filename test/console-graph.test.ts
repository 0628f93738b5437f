// The console's graph page and the fleet table's search and CSV export (issue 20, items 2 and
// 5) in Debian's Chromium against the real stack: a graph built through the API with a real
// replacement (two real devices, one after the other in the same asset), browsed customer →
// site → asset down to the asset's binding history; devices found by serial and by id prefix;
// the CSV of a filter saved as a real download and read back row by row.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  consoleBase,
  launchConsoleBrowser,
  screenshot,
  signIn,
  tokenOf,
} from './support/console-browser';
import type { TestDevice } from './support/device-client';
import { eventually, graphqlOk } from './support/graphql';
import { seedBoundDevices } from './support/seed-graph';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

let stack: TestStack;
let browser: Browser;
let base: string;
let g: TwinGraph;
const exportTenant = uniqueTenant('export');
const devices: TestDevice[] = [];

const PROVISION = `mutation ($i: ProvisionDeviceInput!) { provisionDevice(input: $i) { secret } }`;
const REPLACE = `mutation ($i: ReplaceDeviceInput!) { replaceDevice(input: $i) { status secret } }`;
const BIND = `mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { version } }`;
const HISTORY = `query ($t: ID!, $a: ID!) { asset(tenantId: $t, assetId: $a) {
  bindingHistory { deviceId to boundBy boundReason unboundBy unboundReason } } }`;
const LIFECYCLE = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { lifecycle { state } } }`;

/**
 * FleetCo with two depots: bay-1 at the north depot had wb-old-1, replaced by wb-new-1 (both
 * provisioned and connected for real); bay-2 at the south depot has meter-7, registered and
 * bound by hand with a reason.
 */
async function seedGraph() {
  g = new TwinGraph(stack);
  await g.customer('fleetco', 'FleetCo');
  await g.site('depot-north', 'fleetco', ['24h']);
  await g.site('depot-south', 'fleetco');
  await g.asset('bay-1', 'depot-north', { kind: 'charger-bay' });
  await g.asset('bay-2', 'depot-south', { kind: 'meter-cabinet' });
  const { provisionDevice } = await g.ok(PROVISION, {
    i: { tenantId: g.tenantId, serial: 'wb-old-1', model: 'wb-1', assetId: 'bay-1' },
  });
  devices.push(await g.connect('wb-old-1', provisionDevice.secret));
  await eventually(async () => {
    const { device } = await g.ok(LIFECYCLE, { d: 'wb-old-1' });
    return device.lifecycle.state === 'ACTIVE' ? true : undefined;
  });
  const { replaceDevice } = await g.ok(REPLACE, {
    i: {
      tenantId: g.tenantId,
      deviceId: 'wb-old-1',
      reason: 'cracked display',
      newSerial: 'wb-new-1',
    },
  });
  expect(replaceDevice.status).toBe('AWAITING_ACTIVATION');
  // Its identity works once its provisioning (a child workflow of the replacement) stored it.
  await eventually(async () => {
    const { provisioning } = await g.ok(
      `query ($t: ID!, $s: ID!) { provisioning(tenantId: $t, serial: $s) { status } }`,
      { s: 'wb-new-1' },
    );
    return provisioning?.status === 'AWAITING_ACTIVATION' ? true : undefined;
  });
  devices.push(await g.connect('wb-new-1', replaceDevice.secret));
  const token = await g.register('meter-7', 'm-7');
  await g.ok(BIND, {
    i: {
      tenantId: g.tenantId,
      assetId: 'bay-2',
      deviceId: 'meter-7',
      reason: 'installed at opening',
    },
  });
  devices.push(await g.connect('meter-7', token));
  // The replacement completes once the new device is active.
  await eventually(async () => {
    const { device } = await g.ok(LIFECYCLE, { d: 'wb-new-1' });
    return device.lifecycle.state === 'ACTIVE' ? true : undefined;
  }, 30_000);
}

beforeAll(async () => {
  browser = await launchConsoleBrowser();
  stack = await startTestStack();
  base = consoleBase(stack);
  await seedGraph();
  // 520 devices straight into the projection: 260 of them are customer c1's.
  await seedBoundDevices(stack.database, exportTenant, 520);
}, 240_000);

afterAll(async () => {
  for (const device of devices) device.close();
  await browser?.close();
  await stack?.stop();
});

const rowsOf = (page: Page, table: string) =>
  page.getByRole('table', { name: table }).locator('tbody tr');

describe('the binding history through the API', () => {
  it('says who bound and unbound each device and why, and refuses an over-long reason', async () => {
    const { asset: bay1 } = await g.ok(HISTORY, { a: 'bay-1' });
    expect(bay1.bindingHistory).toMatchObject([
      {
        deviceId: 'wb-old-1',
        boundReason: 'provisioned',
        unboundReason: 'replaced by wb-new-1: cracked display',
      },
      { deviceId: 'wb-new-1', to: null, boundReason: 'replaces wb-old-1', unboundReason: null },
    ]);
    const { asset: bay2 } = await g.ok(HISTORY, { a: 'bay-2' });
    expect(bay2.bindingHistory).toEqual([
      {
        deviceId: 'meter-7',
        to: null,
        boundBy: expect.any(String),
        boundReason: 'installed at opening',
        unboundBy: null,
        unboundReason: null,
      },
    ]);
    const code = await g.refused(
      `mutation ($i: UnbindDeviceInput!) { unbindDevice(input: $i) { version } }`,
      { i: { tenantId: g.tenantId, assetId: 'bay-2', reason: 'x'.repeat(501) } },
    );
    expect(code).toBe('api:input.too-long');
    // Refused before the twin heard of it: meter-7 is still bound.
    expect((await g.ok(HISTORY, { a: 'bay-2' })).asset.bindingHistory).toHaveLength(1);
  });
});

describe('the graph page', () => {
  it('browses customer → site → asset, with counts, and shows the asset’s devices over time', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, base, await tokenOf('viewer', g.tenantId));
    await page
      .getByRole('navigation', { name: 'Pages' })
      .getByRole('link', { name: 'Graph' })
      .click();

    // Customers, with their sites and devices (wb-old-1 left its asset: not FleetCo's now).
    const customers = rowsOf(page, 'Customers');
    await expect.poll(() => customers.count()).toBe(1);
    const fleetco = customers.first();
    expect(await fleetco.getByRole('rowheader').textContent()).toBe('fleetco');
    await expect
      .poll(() => fleetco.locator('td').allTextContents())
      .toEqual(['FleetCo', '2', '2', '2']);

    await fleetco.getByRole('link', { name: 'fleetco' }).click();
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('FleetCo (customer fleetco)');
    expect(new URL(page.url()).search).toBe('?customer=fleetco');
    const counts = page.getByRole('figure', { name: 'Devices of customer FleetCo' });
    await expect.poll(() => counts.locator('[data-count="total"] dd').textContent()).toBe('2');
    await expect.poll(() => counts.locator('[data-count="ONLINE"] dd').textContent()).toBe('2');
    const sites = rowsOf(page, 'Sites');
    await expect
      .poll(() => sites.locator('th').allTextContents())
      .toEqual(['depot-north', 'depot-south']);
    await expect
      .poll(() => sites.first().locator('td').allTextContents())
      .toEqual(['Site depot-north', '24h', '1', '1', '1']);

    await sites.first().getByRole('link', { name: 'depot-north' }).click();
    const assets = rowsOf(page, 'Assets');
    await expect.poll(() => assets.count()).toBe(1);
    await expect
      .poll(() => assets.first().locator('td').allTextContents())
      .toEqual(['Asset bay-1', 'charger-bay', 'OK', 'wb-new-1']);
    expect(await assets.first().getByRole('link', { name: 'wb-new-1' }).getAttribute('href')).toBe(
      `/tenants/${g.tenantId}/devices/wb-new-1`,
    );

    await assets.first().getByRole('link', { name: 'bay-1' }).click();
    const periods = page.getByRole('figure', { name: /Binding history/ }).getByRole('listitem');
    await expect.poll(() => periods.count()).toBe(2);
    const [was, now] = [periods.nth(0), periods.nth(1)];
    expect(await was.getAttribute('aria-label')).toBe('wb-old-1, ended');
    expect(await was.textContent()).toContain('REPLACED');
    expect(await was.textContent()).toContain('provisioned');
    expect(await was.textContent()).toContain(': replaced by wb-new-1: cracked display');
    expect(await now.getAttribute('aria-label')).toBe('wb-new-1, bound now');
    expect(await now.textContent()).toContain('replaces wb-old-1');
    expect(await now.getByRole('link', { name: 'wb-new-1' }).getAttribute('href')).toBe(
      `/tenants/${g.tenantId}/devices/wb-new-1`,
    );
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' });
    expect(await crumbs.getByRole('listitem').allTextContents()).toEqual([
      'Customers',
      'FleetCo',
      'Site depot-north',
      'Asset bay-1',
    ]);
    await screenshot(page, 'graph');

    // The URL keeps the selection: opened again, the page shows the same asset.
    expect(new URL(page.url()).search).toBe('?asset=bay-1');
    await page.reload();
    await expect.poll(() => periods.count()).toBe(2);
    // And the breadcrumbs lead back up.
    await crumbs.getByRole('link', { name: 'FleetCo' }).click();
    await expect.poll(() => sites.count()).toBe(2);
    expect(new URL(page.url()).search).toBe('?customer=fleetco');
    await page.close();
  });

  it('fits a tablet: no page-wide horizontal scroll', async () => {
    const page = await browser.newPage({ viewport: { width: 768, height: 1024 } });
    await signIn(
      page,
      base,
      await tokenOf('viewer', g.tenantId),
      `/tenants/${g.tenantId}/graph?asset=bay-1`,
    );
    const periods = page.getByRole('figure', { name: /Binding history/ }).getByRole('listitem');
    await expect.poll(() => periods.count()).toBe(2);
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      view: window.innerWidth,
    }));
    expect(widths.page).toBeLessThanOrEqual(widths.view);
    await page.close();
  });

  it('says so for a customer that is not there', async () => {
    const page = await browser.newPage();
    await signIn(
      page,
      base,
      await tokenOf('viewer', g.tenantId),
      `/tenants/${g.tenantId}/graph?customer=nobody`,
    );
    await expect.poll(() => page.getByText('No customer nobody in this tenant.').count()).toBe(1);
    await page.close();
  });
});

describe('the fleet table’s search', () => {
  it('finds a device by serial and devices by id prefix', async () => {
    const page = await browser.newPage();
    await signIn(page, base, await tokenOf('operator', g.tenantId));
    const rows = page.getByRole('table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const search = page.getByRole('search');

    await search.getByLabel('Search by').selectOption('serial');
    await search.getByLabel('Serial', { exact: true }).fill('wb-new-1');
    await search.getByRole('button', { name: 'Find' }).click();
    await expect.poll(() => rows.locator('th').allTextContents()).toEqual(['wb-new-1']);
    // meter-7 was registered, never provisioned: it has no serial.
    await search.getByLabel('Serial', { exact: true }).fill('meter-7');
    await search.getByRole('button', { name: 'Find' }).click();
    await expect
      .poll(() => page.getByText('No device provisioned under serial meter-7').count())
      .toBe(1);
    expect(await rows.count()).toBe(0);

    await search.getByLabel('Search by').selectOption('idPrefix');
    await search.getByLabel('Device id or prefix').fill('wb-');
    await search.getByRole('button', { name: 'Find' }).click();
    await expect.poll(() => rows.locator('th').allTextContents()).toEqual(['wb-new-1', 'wb-old-1']);
    // A prefix no id can have is the API's refusal, shown as it says.
    await search.getByLabel('Device id or prefix').fill('wb %');
    await search.getByRole('button', { name: 'Find' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('idPrefix must be');
    await page.close();
  });
});

describe('the CSV export', () => {
  it('saves every device of the filter, across pages, with its columns', async () => {
    const page = await browser.newPage();
    await signIn(page, base, await tokenOf('viewer', exportTenant));
    const filters = page.getByRole('group', { name: 'Filters' });
    await filters.getByLabel('Customer').fill('c1');
    await filters.getByLabel('Customer').press('Enter');
    await expect.poll(() => page.getByText('1–25 of 260').count()).toBe(1);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(
      new RegExp(`^devices-${exportTenant}-\\d{4}-\\d\\d-\\d\\d\\.csv$`),
    );
    await expect
      .poll(() => page.getByText(`Saved 260 devices as ${file.suggestedFilename()}`).count())
      .toBe(1);
    const text = await readFile(await file.path(), 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const records: Record<string, string>[] = parse(text, { bom: true, columns: true });
    expect(Object.keys(records[0]!)).toEqual([
      'id',
      'serial',
      'model',
      'firmware',
      'lifecycle',
      'online',
      'site',
      'customer',
      'asset',
      'tags',
      'last seen',
    ]);
    // The same devices as the API lists for the filter, every one of them, in its order.
    const api: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { devices: listed }: { devices: any } = await graphqlOk(
        stack.apiUrl,
        `query ($t: ID!, $after: String) { devices(tenantId: $t, filter: { customerId: "c1" }, first: 100, after: $after) {
          pageInfo { hasNextPage endCursor } nodes { deviceId } } }`,
        { t: exportTenant, after },
      );
      api.push(...listed.nodes.map((n: { deviceId: string }) => n.deviceId));
      if (!listed.pageInfo.hasNextPage) break;
      after = listed.pageInfo.endCursor;
    }
    expect(api).toHaveLength(260);
    expect(records.map((r) => r.id)).toEqual(api);
    // Customer c1 stands at sites s1 and s3: devices d-NNN with N mod 4 = 0 or 2.
    expect(records.find((r) => r.id === 'd-002')).toEqual({
      id: 'd-002',
      serial: '',
      model: 'x',
      firmware: '',
      lifecycle: 'PROVISIONED',
      online: 'false',
      site: 's3',
      customer: 'c1',
      asset: 'a-002',
      tags: '',
      'last seen': '',
    });
    expect(new Set(records.map((r) => r.customer))).toEqual(new Set(['c1']));
    await page.close();
  });
});

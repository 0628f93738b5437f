// The operator console (issue 20) in Debian's Chromium, driven by playwright-core, against the
// real stack: the API serves the built console at /, a token signs in, the fleet counts and the
// device table come from the API, and a viewer is offered no action the API would refuse.
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from './support/auth';
import {
  accessibilityViolations,
  consoleBase,
  launchConsoleBrowser,
  screenshot,
  SCREENSHOTS,
  scrollsSideways,
  signIn as signInAt,
  tokenOf,
} from './support/console-browser';
import type { TestDevice } from './support/device-client';
import {
  helloDevice,
  registerDevice,
  startTestStack,
  uniqueTenant,
  type TestStack,
} from './support/stack';

let stack: TestStack;
let browser: Browser;
let base: string;
const tenantId = uniqueTenant('console');
const devices: TestDevice[] = [];

beforeAll(async () => {
  browser = await launchConsoleBrowser();
  stack = await startTestStack();
  base = consoleBase(stack);
  await registerDevice(stack, tenantId, 'meter-a', 'M-100');
  await registerDevice(stack, tenantId, 'meter-b', 'M-100');
  const token = await registerDevice(stack, tenantId, 'meter-c', 'M-200');
  // One device connects: it becomes ACTIVE and ONLINE, the others stay PROVISIONED and unknown.
  devices.push(await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'meter-c', token }));
});

afterAll(async () => {
  for (const device of devices) device.close();
  await browser?.close();
  await stack?.stop();
});

const signIn = (page: Page, token: string) => signInAt(page, base, token);

/** The count a summary tile shows for one value (e.g. tile Lifecycle, value ACTIVE). */
const countOf = (page: Page, tile: string, value: string) =>
  page.getByRole('figure', { name: tile }).locator(`[data-count="${value}"] dd`);

describe('the operator console', () => {
  it('is served at / and at any page path, with its assets cached for good, beside the API', async () => {
    for (const at of ['/', `/tenants/${tenantId}`]) {
      const page = await fetch(`${base}${at}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('cache-control')).toBe('no-cache');
      const html = await page.text();
      expect(html).toContain('<div id="root">');
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const asset = await fetch(`${base}${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
      expect(asset.headers.get('cache-control')).toContain('immutable');
    }
    // The API's own paths are still the API's.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const me = await fetch(stack.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ query: '{ me { role } }' }),
    });
    expect(await me.json()).toEqual({ data: { me: { role: 'PLATFORM_ADMIN' } } });
  });

  it('signs an operator in with a token, shows the fleet counts and finds a device by id', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(base);
    await page.screenshot({ path: `${SCREENSHOTS}/sign-in.png` });
    await signIn(page, await tokenOf('operator', tenantId));

    await expect.poll(() => countOf(page, 'Devices', 'total').textContent()).toBe('3');
    await expect.poll(() => countOf(page, 'Lifecycle', 'ACTIVE').textContent()).toBe('1');
    await expect.poll(() => countOf(page, 'Lifecycle', 'PROVISIONED').textContent()).toBe('2');
    await expect.poll(() => countOf(page, 'Connectivity', 'ONLINE').textContent()).toBe('1');
    await expect.poll(() => countOf(page, 'Model', 'M-100').textContent()).toBe('2');
    const rows = page.getByRole('table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    await expect.poll(() => page.getByText('1–3 of 3').count()).toBe(1);
    // The operator may put the active device into maintenance: the table offers it.
    await expect.poll(() => page.getByRole('button', { name: 'Maintenance' }).count()).toBe(1);
    await screenshot(page, 'fleet');

    await page.getByLabel('Device id').fill('meter-b');
    await page.getByRole('button', { name: 'Find' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getByRole('rowheader').textContent()).toBe('meter-b');
    expect(await rows.first().textContent()).toContain('M-100');

    await page.getByLabel('Device id').fill('no-such-meter');
    await page.getByRole('button', { name: 'Find' }).click();
    await expect.poll(() => page.getByText('No device no-such-meter').count()).toBe(1);
    expect(await rows.count()).toBe(0);
    await page.close();
  });

  it('filters the table on the server: lifecycle and model', async () => {
    const page = await browser.newPage();
    await signIn(page, await tokenOf('operator', tenantId));
    const rows = page.getByRole('table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const filters = page.getByRole('group', { name: 'Filters' });
    await filters.getByLabel('Lifecycle').selectOption('PROVISIONED');
    await expect.poll(() => page.getByText('1–2 of 2').count()).toBe(1);
    await filters.getByLabel('Model').fill('M-200');
    await filters.getByLabel('Model').press('Enter');
    await expect.poll(() => page.getByText('No devices').count()).toBe(1);
    await filters.getByLabel('Lifecycle').selectOption('');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getByRole('rowheader').textContent()).toBe('meter-c');
    await page.close();
  });

  it('offers a viewer no action the API would refuse', async () => {
    const page = await browser.newPage();
    await signIn(page, await tokenOf('viewer', tenantId));
    await expect.poll(() => page.getByLabel('Role').textContent()).toBe('viewer');
    const rows = page.getByRole('table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await page.getByRole('table').getByRole('button').count()).toBe(0);
    expect(await page.getByRole('columnheader', { name: 'Actions' }).count()).toBe(0);
    await page.close();
  });

  it('keeps the counts live: a device registered while the page is open is counted', async () => {
    const page = await browser.newPage();
    await signIn(page, await tokenOf('viewer', tenantId));
    await expect.poll(() => countOf(page, 'Devices', 'total').textContent()).toBe('3');
    await expect.poll(() => page.getByText('live', { exact: true }).count()).toBe(1);
    await registerDevice(stack, tenantId, 'meter-d', 'M-200');
    // Well inside the 30 s poll: the change subscription brought it.
    await expect
      .poll(() => countOf(page, 'Devices', 'total').textContent(), { timeout: 15_000 })
      .toBe('4');
    await page.close();
  });

  it('lets an installation admin switch tenants, refuses a bad token and signs out', async () => {
    const page = await browser.newPage();
    await signIn(page, 'not-a-token');
    await expect.poll(() => page.getByRole('alert').count()).toBe(1);
    expect(await page.evaluate(() => sessionStorage.getItem('doppel.credential'))).toBeNull();

    await page.getByLabel('API key or token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Choose a tenant' }).count()).toBe(1);
    await page.getByLabel('Tenant').fill(tenantId);
    await page.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => countOf(page, 'Devices', 'total').textContent()).toBe('4');
    expect(new URL(page.url()).pathname).toBe(`/tenants/${tenantId}`);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByLabel('API key or token').count()).toBe(1);
    expect(await page.evaluate(() => sessionStorage.getItem('doppel.credential'))).toBeNull();
    await page.close();
  });

  it('is accessible: signs in by keyboard alone, no WCAG 2.1 A/AA violation, fits a tablet', async () => {
    const page = await browser.newPage({ viewport: { width: 768, height: 1024 } });
    await page.goto(base);
    expect(await accessibilityViolations(page)).toEqual([]);
    // Keyboard only: the credential has the focus, Tab reaches the button, Enter signs in.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('credential');
    await page.keyboard.type(await tokenOf('operator', tenantId));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('table').locator('tbody tr').count()).toBeGreaterThan(0);
    await expect.poll(() => countOf(page, 'Devices', 'total').textContent()).not.toBe('');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await scrollsSideways(page)).toBe(false);
    await page.close();
  });

  it('shows a returning tab its pages at once, and signs it out when its credential is refused', async () => {
    const page = await browser.newPage();
    await signIn(page, await tokenOf('viewer', tenantId));
    await expect.poll(() => page.getByLabel('Role').textContent()).toBe('viewer');
    // What the API said is kept beside the credential, so a reload starts the pages' queries at once.
    expect(JSON.parse((await page.evaluate(() => sessionStorage.getItem('doppel.me')))!)).toEqual({
      actor: 'user:viewer-user',
      role: 'viewer',
      tenantId,
    });
    await page.reload();
    await expect.poll(() => page.getByRole('table').locator('tbody tr').count()).toBe(4);
    // A credential the API refuses (expired, revoked) is still checked on load: the tab signs out.
    await page.evaluate(() => sessionStorage.setItem('doppel.credential', 'revoked-token'));
    await page.reload();
    await expect.poll(() => page.getByLabel('API key or token').count()).toBe(1);
    expect(await page.getByRole('alert').textContent()).not.toBe('');
    expect(await page.evaluate(() => sessionStorage.getItem('doppel.me'))).toBeNull();
    await page.close();
  });

  it('registers a device, shows its secret once, and the device connects with it', async () => {
    const page = await browser.newPage();
    await signIn(page, await tokenOf('operator', tenantId));
    await page.getByRole('button', { name: 'Register a device' }).click();
    const form = page.getByRole('form', { name: 'Register a device' });
    await form.getByLabel('New device id').fill('meter-e');
    await form.getByLabel('Model').fill('M-300');
    await form.getByRole('button', { name: 'Register' }).click();
    const secret = page.getByLabel('Secret of meter-e');
    await expect.poll(() => secret.count()).toBe(1);
    const token = await secret.inputValue();
    expect(token).toMatch(/^dpl_/);
    // The same id again: the API's refusal is shown, nothing else happens.
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Register a device' }).click();
    await form.getByLabel('New device id').fill('meter-e');
    await form.getByRole('button', { name: 'Register' }).click();
    await expect.poll(() => form.getByRole('alert').count()).toBe(1);
    // A real device connects with the secret the page showed: the fleet counts it online.
    devices.push(await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'meter-e', token }));
    await expect
      .poll(() => countOf(page, 'Connectivity', 'ONLINE').textContent(), { timeout: 15_000 })
      .toBe('2');
    expect(await countOf(page, 'Model', 'M-300').textContent()).toBe('1');
    // A viewer is not offered registration.
    const viewer = await browser.newPage();
    await signIn(viewer, await tokenOf('viewer', tenantId));
    await expect.poll(() => viewer.getByRole('table').locator('tbody tr').count()).toBe(5);
    expect(await viewer.getByRole('button', { name: 'Register a device' }).count()).toBe(0);
    await viewer.close();
    await page.close();
  });
});

// The README's "Try it: a device, end to end" done in the console, step by step as a newcomer
// would (issue 20: "a newcomer can do the README's end-to-end walk in the console without
// GraphiQL"): the admin token, the tenant switcher, registering a device, a real device
// connecting with the secret the page showed, desired state to the device and back, maintenance.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from './support/auth';
import { consoleBase, launchConsoleBrowser, signIn } from './support/console-browser';
import type { TestDevice } from './support/device-client';
import { helloDevice, startTestStack, uniqueTenant, type TestStack } from './support/stack';

const TEMPORAL_UI = 'http://127.0.0.1:8233';
const tenantId = uniqueTenant('acme');
let stack: TestStack;
let browser: Browser;
let device: TestDevice | undefined;

beforeAll(async () => {
  browser = await launchConsoleBrowser();
  stack = await startTestStack({ temporalUiUrl: TEMPORAL_UI });
});

afterAll(async () => {
  device?.close();
  await browser?.close();
  await stack?.stop();
});

describe("the README's walk, in the console", () => {
  it('registers, connects, changes desired state, and puts the device into maintenance', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // 1. The admin token, then the tenant switcher.
    await signIn(page, consoleBase(stack), ADMIN_TOKEN);
    await page.getByLabel('Tenant').fill(tenantId);
    await page.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByText('No devices').count()).toBe(1);

    // 2. Register a device; its secret is shown once.
    await page.getByRole('button', { name: 'Register a device' }).click();
    await page.getByLabel('New device id').fill('charger-17');
    await page.getByLabel('Model').first().fill('wallbox-x');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    const secret = await page.getByLabel('Secret of charger-17').inputValue();
    expect(secret).not.toBe('');
    await page.getByRole('button', { name: 'Done' }).click();

    // 3. The device connects with that secret and reports; the overview counts it.
    device = await helloDevice(stack.gatewayUrl, {
      tenantId,
      deviceId: 'charger-17',
      token: secret,
    });
    device.send({ type: 'report', seq: 2, state: { temperature: 21.5 } });
    expect((await device.next((m) => m.seq === 2)).type).toBe('ack');
    const tile = (name: string, value: string) =>
      page.getByRole('figure', { name }).locator(`[data-count="${value}"] dd`);
    await expect
      .poll(() => tile('Lifecycle', 'ACTIVE').textContent(), { timeout: 15_000 })
      .toBe('1');
    await expect.poll(() => tile('Connectivity', 'ONLINE').textContent()).toBe('1');

    // 4. Its page: the reported temperature; desired state reaches the device.
    await page.getByRole('link', { name: 'charger-17', exact: true }).click();
    const shadow = page.getByRole('region', { name: 'Shadow' });
    await expect
      .poll(() => shadow.getByRole('figure', { name: 'Reported' }).textContent())
      .toContain('21.5');
    await page.getByLabel(/^Desired state \(JSON\)/).fill('{"interval": 30}');
    await page.getByRole('button', { name: 'Save desired' }).click();
    await expect
      .poll(() => device!.received.some((m) => m.type === 'desired'), { timeout: 15_000 })
      .toBe(true);
    expect(device.received.find((m) => m.type === 'desired')).toMatchObject({
      state: { interval: 30 },
    });
    await expect
      .poll(() => shadow.getByRole('figure', { name: 'Delta' }).textContent())
      .toContain('30');

    // 5. Maintenance with a reason, in the timeline; the twin's workflow in Temporal UI.
    await page.getByRole('button', { name: 'Maintenance', exact: true }).click();
    await page.getByLabel('Reason').fill('trying the walk');
    await page.getByRole('button', { name: 'Put charger-17 into maintenance' }).click();
    await expect.poll(() => page.getByLabel('Lifecycle state').textContent()).toBe('MAINTENANCE');
    const link = page.getByRole('link', { name: `device:${tenantId}:charger-17 in Temporal UI` });
    expect(await link.getAttribute('href')).toBe(
      `${TEMPORAL_UI}/namespaces/default/workflows/${encodeURIComponent(`device:${tenantId}:charger-17`)}`,
    );
    await page.close();
  });
});

// The console's device page (issue 20) in Debian's Chromium against the real stack, with a real
// device on the gateway that reports back the desired state it receives and answers commands:
// what the page shows comes from the device, through the API, live.
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from './support/auth';
import {
  consoleBase,
  launchConsoleBrowser,
  screenshot,
  signIn,
  tokenOf,
} from './support/console-browser';
import { exampleProfile, type TestDevice } from './support/device-client';
import { graphql, graphqlOk } from './support/graphql';
import { startTestApi } from './support/api-in-process';
import {
  helloDevice,
  registerDevice,
  startTestStack,
  uniqueTenant,
  type TestStack,
} from './support/stack';

const TEMPORAL_UI = 'http://temporal-ui.test:8233';
const tenantId = uniqueTenant('console-device');
const deviceId = 'meter-1';
const pagePath = `/tenants/${tenantId}/devices/${deviceId}`;

let stack: TestStack;
let browser: Browser;
let base: string;
let device: TestDevice;
let stopMirror: () => void;

/** One sequence for everything the device sends in its session (a repeated seq is a retry). */
let seq = 1;
const nextSeq = () => ++seq;

/**
 * The device applies what it is told: every desired message it receives, it reports as its
 * state; every command it answers as done, with its parameters as the result.
 */
function mirror(d: TestDevice): () => void {
  let seen = 0;
  const timer = setInterval(() => {
    for (const message of d.received.slice(seen)) {
      seen += 1;
      if (message.type === 'desired')
        d.send({ type: 'report', seq: nextSeq(), state: message.state });
      if (message.type === 'command')
        d.send({
          type: 'command-result',
          seq: nextSeq(),
          id: message.id,
          status: 'accepted',
          result: { done: message.name, ...(message.params as object) },
        });
    }
  }, 50);
  return () => clearInterval(timer);
}

beforeAll(async () => {
  browser = await launchConsoleBrowser();
  stack = await startTestStack({ temporalUiUrl: TEMPORAL_UI });
  base = consoleBase(stack);
  // The meter's profile gives its telemetry canonical names and units (Wh → kWh, W → kW).
  await graphqlOk(
    stack.apiUrl,
    'mutation ($t: ID!, $p: JSONObject!) { putDeviceProfile(tenantId: $t, profile: $p) { version } }',
    { t: tenantId, p: exampleProfile('acme-meter-em3') },
  );
  const token = await registerDevice(stack, tenantId, deviceId, 'acme-meter-em3');
  await registerDevice(stack, tenantId, 'meter-2', 'acme-meter-em3');
  device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId, token });
  const now = Date.now();
  for (let i = 3; i >= 1; i--) {
    const ack = await device.telemetry(nextSeq(), new Date(now - i * 60_000), {
      energy_Wh: 1000 + (3 - i) * 500,
      power: 3000 + i * 100,
    });
    expect(ack.type).toBe('ack');
  }
  stopMirror = mirror(device);
});

afterAll(async () => {
  stopMirror?.();
  device?.close();
  await browser?.close();
  await stack?.stop();
});

const open = async (role: 'operator' | 'viewer' | 'tenant-admin', at = pagePath) => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await signIn(page, base, await tokenOf(role, tenantId), at);
  await expect
    .poll(() => page.getByRole('heading', { name: `Device ${deviceId}` }).count())
    .toBe(1);
  return page;
};

const section = (page: Page, name: string) => page.getByRole('region', { name });
const documentOf = (page: Page, name: 'Desired' | 'Reported' | 'Delta') =>
  section(page, `Shadow`)
    .getByRole('figure', { name })
    .locator('pre')
    .textContent()
    .then((text) => JSON.parse(text ?? 'null'));

describe('the device page', () => {
  it('is reached from the fleet table, and shows identity, state, telemetry in canonical units and the Temporal UI link', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, base, await tokenOf('operator', tenantId));
    await page.getByRole('link', { name: deviceId, exact: true }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: `Device ${deviceId}` }).count())
      .toBe(1);
    expect(new URL(page.url()).pathname).toBe(pagePath);

    const identity = section(page, 'Identity');
    expect(await identity.textContent()).toContain('acme-meter-em3');
    await expect.poll(() => page.getByLabel('Lifecycle state').textContent()).toBe('ACTIVE');
    await expect.poll(() => page.getByLabel('Connectivity status').textContent()).toBe('ONLINE');
    // The connection it holds now, from the session history.
    const connections = page.getByRole('table', { name: 'Connections' }).locator('tbody tr');
    await expect.poll(() => connections.count()).toBe(1);
    expect(await connections.first().textContent()).toContain('open');

    // Telemetry sent in Wh and W, charted per field in the profile's kWh and kW.
    const telemetry = section(page, 'Telemetry');
    const energy = telemetry.getByRole('figure', { name: 'energyKWh (kWh)' });
    await expect.poll(() => energy.count()).toBe(1);
    expect(await energy.textContent()).toContain('3 samples, 1–2 kWh; latest 2 kWh');
    expect(await telemetry.getByRole('figure', { name: 'powerKW (kW)' }).count()).toBe(1);
    expect(await energy.locator('canvas').count()).toBeGreaterThan(0);
    expect(await telemetry.textContent()).toContain('3 samples in the period.');

    // The link comes from the API's configuration (me.temporalUi), not from the console.
    const link = identity.getByRole('link', { name: /in Temporal UI/ });
    expect(await link.getAttribute('href')).toBe(
      `${TEMPORAL_UI}/namespaces/default/workflows/${encodeURIComponent(`device:${tenantId}:${deviceId}`)}`,
    );
    await page.close();
  });

  it('changes desired state in the browser, and reported follows from the device, live', async () => {
    const page = await open('operator');
    const editor = page.getByLabel(/^Desired state \(JSON\)/);
    await editor.fill(JSON.stringify({ interval: 60, led: { color: 'green' } }, null, 2));
    await page.getByRole('button', { name: 'Save desired' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved' }).count()).toBe(1);
    // The device got the change and reported it back; the page heard it without a reload.
    await expect
      .poll(() => documentOf(page, 'Reported'), { timeout: 15_000 })
      .toMatchObject({ interval: 60, led: { color: 'green' } });
    await expect.poll(() => documentOf(page, 'Delta')).toEqual({});
    expect(await documentOf(page, 'Desired')).toEqual({ interval: 60, led: { color: 'green' } });
    expect(device.received).toContainEqual(
      expect.objectContaining({
        type: 'desired',
        state: { interval: 60, led: { color: 'green' } },
      }),
    );

    // Removing a key in the editor deletes it (the patch sends null).
    await expect.poll(() => editor.inputValue()).toContain('green');
    await editor.fill(JSON.stringify({ interval: 60 }));
    await page.getByRole('button', { name: 'Save desired' }).click();
    await expect.poll(() => documentOf(page, 'Desired')).toEqual({ interval: 60 });
    await page.close();
  });

  it('sends a command and shows its result', async () => {
    const page = await open('operator');
    await page.getByLabel('Command name').fill('blink');
    await page.getByLabel('Parameters (JSON)').fill('{"times": 2}');
    await page.getByRole('button', { name: 'Send command' }).click();
    const row = page
      .getByRole('table', { name: 'Commands' })
      .locator('tbody tr', { hasText: 'blink' });
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('SUCCEEDED');
    expect(await row.textContent()).toContain('{"done":"blink","times":2}');

    // Parameters that are not a JSON object never reach the API.
    await page.getByLabel('Parameters (JSON)').fill('[1, 2]');
    await page.getByRole('button', { name: 'Send command' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('Parameters must be a JSON object ({ … })');
    await page.close();
  });

  it('shows a desired-state conflict with the current value, and reloads it', async () => {
    const page = await open('operator');
    const editor = page.getByLabel(/^Desired state \(JSON\)/);
    await expect.poll(() => editor.inputValue()).toContain('60');
    await editor.fill('{"interval": 90}');
    // Someone else changes desired state while this operator edits.
    const other = await graphql(
      stack.apiUrl,
      'mutation ($i: UpdateDesiredInput!) { updateDesired(input: $i) { shadowVersion } }',
      { i: { tenantId, deviceId, patch: { interval: 75 } } },
    );
    expect(other.errors).toBeUndefined();
    await expect.poll(() => documentOf(page, 'Desired')).toEqual({ interval: 75 });
    // The draft is the operator's: a live change does not overwrite it.
    expect(await editor.inputValue()).toBe('{"interval": 90}');

    await page.getByRole('button', { name: 'Save desired' }).click();
    const alert = page.getByRole('alert');
    await expect
      .poll(() => alert.textContent())
      .toContain('The shadow changed since you started editing');
    expect(
      JSON.parse((await alert.getByLabel('Current desired state').textContent()) ?? ''),
    ).toEqual({ interval: 75 });
    await page.getByRole('button', { name: 'Reload the current desired state' }).click();
    expect(JSON.parse(await editor.inputValue())).toEqual({ interval: 75 });
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.close();
  });

  it('puts the device into maintenance with a reason, shown in the timeline with its effects', async () => {
    const page = await open('operator');
    await page.getByRole('button', { name: 'Maintenance', exact: true }).click();
    await page.getByLabel('Reason').fill('replacing the fuse');
    await page.getByRole('button', { name: `Put ${deviceId} into maintenance` }).click();
    await expect.poll(() => page.getByLabel('Lifecycle state').textContent()).toBe('MAINTENANCE');
    const entry = page
      .getByRole('table', { name: 'Lifecycle timeline' })
      .locator('tbody tr', { hasText: 'replacing the fuse' });
    await expect.poll(() => entry.count()).toBe(1);
    const text = await entry.textContent();
    expect(text).toContain('ACTIVE → MAINTENANCE');
    expect(text).toContain('operator-user');
    expect(text).toContain('mute alarms, exclude from rollouts');
    // Now the way back is offered, not maintenance again.
    await expect.poll(() => page.getByRole('button', { name: 'End maintenance' }).count()).toBe(1);
    await screenshot(page, 'device');
    await page.close();
  });

  it("shows the API's refusal of an action", async () => {
    const page = await open('operator');
    await page.getByRole('button', { name: 'Replace', exact: true }).click();
    await page.getByLabel('New device id').fill('not a valid id!');
    await page.getByLabel('Reason').fill('broken display');
    await page.getByRole('button', { name: `Replace ${deviceId}` }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/^newSerial must be 1–64 letters/);
    await page.close();
  });

  it('offers a viewer no action, and no audit entries; a tenant admin reads them', async () => {
    const page = await open('viewer');
    await expect.poll(() => page.getByLabel('Lifecycle state').textContent()).toBe('MAINTENANCE');
    await expect
      .poll(() => page.getByRole('table', { name: 'Commands' }).locator('tbody tr').count())
      .toBe(1);
    for (const name of [
      'End maintenance',
      'Maintenance',
      'Replace',
      'Retire',
      'Save desired',
      'Send command',
    ])
      expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    expect(await page.getByRole('form').count()).toBe(0);
    expect(await page.locator('textarea').count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Audit' }).count()).toBe(0);
    // On a tablet, the page does not scroll sideways (wide tables scroll in their own box).
    await page.setViewportSize({ width: 768, height: 1024 });
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
      .toBeLessThanOrEqual(768);
    await page.close();

    const admin = await open('tenant-admin');
    const audit = admin.getByRole('table', { name: 'Audit entries' });
    await expect
      .poll(() => audit.locator('tbody tr', { hasText: 'transitionDevice' }).count())
      .toBeGreaterThan(0);
    await admin.close();
  });

  it('says why the device is offline once it goes', async () => {
    const page = await open('viewer');
    await expect.poll(() => page.getByLabel('Connectivity status').textContent()).toBe('ONLINE');
    stopMirror();
    device.close();
    await expect
      .poll(() => page.getByLabel('Connectivity status').textContent(), { timeout: 15_000 })
      .toBe('OFFLINE');
    await expect
      .poll(() => page.getByRole('note', { name: 'Why offline' }).textContent())
      .toContain('Why offline: device closed');
    const connections = page.getByRole('table', { name: 'Connections' }).locator('tbody tr');
    await expect.poll(() => connections.first().textContent()).toContain('device closed');
    await page.close();
  });

  it('tells the console of Temporal UI only when configured, and not a partner', async () => {
    const me = '{ me { temporalUi { url namespace } } }';
    expect((await graphqlOk(stack.apiUrl, me)).me.temporalUi).toEqual({
      url: TEMPORAL_UI,
      namespace: 'default',
    });
    const partner = await graphql(stack.apiUrl, me, {}, await bearer('partner', tenantId));
    expect(partner.data?.me.temporalUi).toBeNull();
    const bare = await startTestApi(stack.database);
    try {
      const url = `http://127.0.0.1:${bare.port}/graphql`;
      expect((await graphqlOk(url, me)).me.temporalUi).toBeNull();
    } finally {
      await bare.stop();
    }
  });

  it('replaces the device by a new one (its secret shown once) and retires another, each confirmed with a reason', async () => {
    const page = await open('operator');
    await page.getByRole('button', { name: 'Replace', exact: true }).click();
    await page.getByLabel('New device id').fill('meter-1b');
    await page.getByLabel('Reason').fill('display cracked');
    await page.getByRole('button', { name: `Replace ${deviceId}` }).click();
    const done = page.getByRole('status').filter({ hasText: 'new device meter-1b' });
    await expect.poll(() => done.count(), { timeout: 15_000 }).toBe(1);
    expect(await done.textContent()).toMatch(/Its secret, shown this once: \S+/);
    await expect.poll(() => page.getByLabel('Lifecycle state').textContent()).toBe('REPLACED');
    await done.getByRole('link', { name: 'meter-1b' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Device meter-1b' }).count()).toBe(1);
    await page.close();

    const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(
      other,
      base,
      await tokenOf('operator', tenantId),
      `/tenants/${tenantId}/devices/meter-2`,
    );
    await expect.poll(() => other.getByRole('heading', { name: 'Device meter-2' }).count()).toBe(1);
    await other.getByRole('button', { name: 'Retire', exact: true }).click();
    await other.getByLabel('Reason').fill('never installed');
    await other.getByRole('button', { name: 'Retire meter-2 for good' }).click();
    await expect.poll(() => other.getByLabel('Lifecycle state').textContent()).toBe('RETIRED');
    const entry = other
      .getByRole('table', { name: 'Lifecycle timeline' })
      .locator('tbody tr', { hasText: 'never installed' });
    await expect.poll(() => entry.count()).toBe(1);
    // Nothing is left to do with a retired device.
    expect(await other.getByRole('group', { name: 'Lifecycle actions' }).count()).toBe(0);
    await other.close();
  });
});

// The console's fleet operations (issue 20 items 4 and 6) in Debian's Chromium against the real
// stack: a rollout started with the guided form over real firmware-updating devices and watched
// to its end, a device in maintenance left out, controls confirmed and withheld from a viewer,
// a CSV of devices provisioned with its one-time secrets saved, and a real device's alarm seen
// live, acknowledged, assigned and cleared.
import { readFileSync } from 'node:fs';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  consoleBase,
  launchConsoleBrowser,
  screenshot,
  signIn,
  tokenOf,
} from './support/console-browser';
import { connectRegistered, exampleProfile, type TestDevice } from './support/device-client';
import {
  closeFirmwareDevices,
  firmwareDevice,
  START,
  untilActiveOn,
  untilRollout,
} from './support/firmware-device';
import { graphqlOk } from './support/graphql';
import { helloDevice, startTestStack, uniqueTenant, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

/** Pages change when the API tells them (a subscription, then a read): give them time. */
const LIVE = { timeout: 15_000 };

let stack: TestStack;
let browser: Browser;
let base: string;
let g: TwinGraph;
const devices: TestDevice[] = [];

beforeAll(async () => {
  browser = await launchConsoleBrowser();
  stack = await startTestStack();
  base = consoleBase(stack);
  g = new TwinGraph(stack, uniqueTenant('console-ops'));
});

afterAll(async () => {
  closeFirmwareDevices();
  for (const device of devices) device.close();
  await browser?.close();
  await stack?.stop();
});

/** A page of the tenant's console, signed in with this role's token. */
async function open(
  role: 'operator' | 'viewer',
  path: string,
  tenantId = g.tenantId,
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await signIn(page, base, await tokenOf(role, tenantId), `/tenants/${tenantId}/${path}`);
  return page;
}

const statusOf = (page: Page) => page.getByLabel('Status', { exact: true }).first().textContent();
const deviceRow = (page: Page, deviceId: string) =>
  page
    .getByRole('table', { name: 'Rollout devices' })
    .getByRole('row', { name: new RegExp(`^${deviceId} `) });

/** No horizontal scroll of the page itself (a table may scroll inside its own box). */
const fitsWidth = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

/**
 * A device on 1.0 that, told to update, accepts, reboots into the new version and reports a
 * temperature of 95 there (the overheat rule's alarm).
 */
async function hotAfterUpdate(deviceId: string, model: string) {
  const token = await g.register(deviceId, model);
  const device = await g.connect(deviceId, token, '1.0');
  devices.push(device);
  await untilActiveOn(g, deviceId, '1.0');
  void (async () => {
    const command = await device.next((m) => m.type === 'command', 120_000).catch(() => null);
    if (!command) return;
    device.send({ type: 'command-result', seq: 2, id: command.id, status: 'accepted' });
    device.close();
    const updated = await g.connect(
      deviceId,
      token,
      (command.params as { version: string }).version,
    );
    devices.push(updated);
    updated.send({ type: 'report', seq: 3, state: { temperature: 95 } });
  })();
}

describe('rollouts in the console', { timeout: 120_000 }, () => {
  it('starts a rollout with the guided form, leaves the device in maintenance out, and watches it complete', async () => {
    const log: string[] = [];
    for (const id of ['ui-1', 'ui-2', 'ui-3', 'ui-m'])
      await firmwareDevice(g, id, await g.register(id, 'wb-ui'), '1.0', 'update', log);
    await g.ok(
      `mutation ($i: TransitionDeviceInput!) { transitionDevice(input: $i) { version } }`,
      {
        i: { tenantId: g.tenantId, deviceId: 'ui-m', to: 'MAINTENANCE', reason: 'cable repair' },
      },
    );

    const page = await open('operator', 'rollouts/new');
    const form = page.getByRole('form', { name: 'New rollout' });
    await form.getByLabel('Model').fill('wb-ui');
    // The live count of the target, from the API's device filter: the maintenance device is named.
    await expect
      .poll(() => page.getByLabel('Matching devices').textContent(), LIVE)
      .toBe('4 devices match: 3 active, 1 in maintenance (skipped)');
    await form.getByLabel('Rollout id').fill('fw-ui');
    await form.getByLabel('Version', { exact: true }).fill('2.0');
    await form.getByLabel('Image URL').fill('firmware.bin');
    await form.getByLabel('Canary devices').fill('1');
    await form.getByLabel('Devices per wave').fill('2');
    await form.getByLabel('Time-out (s)').fill('60');
    await form.getByLabel('Retries').fill('0');
    await form.getByRole('button', { name: 'Start rollout' }).click();
    // The API refuses the URL: its reason is shown at the field, which is marked invalid.
    await expect
      .poll(() => form.getByLabel('Image URL').getAttribute('aria-invalid'), LIVE)
      .toBe('true');
    expect(await form.getByText('an http(s):// or (s)ftp:// URL').count()).toBe(1);
    expect(log).toEqual([]);

    await form.getByLabel('Image URL').fill('https://firmware.example.com/wb-ui/2.0.bin');
    await screenshot(page, 'rollout-new');
    await page.setViewportSize({ width: 768, height: 1024 });
    expect(await fitsWidth(page)).toBe(true);
    await form.getByRole('button', { name: 'Start rollout' }).click();
    await expect
      .poll(() => new URL(page.url()).pathname, LIVE)
      .toBe(`/tenants/${g.tenantId}/rollouts/fw-ui`);

    // Watched, not reloaded: the subscription brings each change until the rollout completes.
    const seen = new Set<string | null>();
    await expect
      .poll(async () => (seen.add(await statusOf(page)), [...seen].at(-1)), { timeout: 60_000 })
      .toBe('COMPLETED');
    expect(seen).toContain('RUNNING');
    const count = (name: string) => page.locator(`[data-count="${name}"] strong`).textContent();
    await expect.poll(() => count('succeeded'), LIVE).toBe('3');
    expect(await count('skipped')).toBe('1');
    expect(await count('failed')).toBe('0');
    await expect.poll(() => deviceRow(page, 'ui-m').textContent(), LIVE).toContain('SKIPPED');
    expect(await deviceRow(page, 'ui-m').textContent()).toContain('in maintenance');
    for (const id of ['ui-1', 'ui-2', 'ui-3'])
      expect(await deviceRow(page, id).textContent()).toContain('SUCCEEDED');
    expect(log.sort()).toEqual([
      'ui-1:update-firmware',
      'ui-2:update-firmware',
      'ui-3:update-firmware',
    ]);
    // The waves as a picture: the canary, then waves of two, each bar named with its counts.
    const waves = page.getByRole('figure', { name: 'Waves' });
    await expect
      .poll(() =>
        waves.getByRole('img').evaluateAll((bars) => bars.map((b) => b.getAttribute('aria-label'))),
      )
      .toEqual(['Canary: 1 succeeded of 1', 'Wave 1: 2 succeeded of 2', 'Wave 2: 1 skipped of 1']);
    await page.close();
  });

  it('shows why a rollout paused itself, offers a viewer no control, and aborts on a confirmed request', async () => {
    const log: string[] = [];
    await firmwareDevice(g, 'rj-0', await g.register('rj-0', 'wb-rj'), '1.0', 'reject', log);
    await firmwareDevice(g, 'rj-1', await g.register('rj-1', 'wb-rj'), '1.0', 'update', log);
    await g.ok(START, {
      c: {
        id: 'fw-rj',
        firmware: { version: '2.0', url: 'https://firmware.example.com/wb-rj/2.0.bin' },
        target: { models: ['wb-rj'] },
        canary: { devices: 1 },
        waves: { mode: 'constant', size: 1 },
        perDevice: { timeoutS: 30, retries: 0 },
      },
    });
    await untilRollout(g, 'fw-rj', (r) => r.status === 'PAUSED');
    const reason = 'paused automatically: canary: 1 of 1 devices failed';

    const viewer = await open('viewer', 'rollouts/fw-rj');
    await expect
      .poll(() => viewer.getByLabel('Reason', { exact: true }).textContent(), LIVE)
      .toBe(reason);
    expect(await statusOf(viewer)).toBe('PAUSED');
    expect(await viewer.getByRole('group', { name: 'Controls' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: /Pause|Resume|Abort|Retry/ }).count()).toBe(0);
    await viewer.getByRole('link', { name: 'All rollouts' }).click();
    await expect
      .poll(() => viewer.getByRole('table', { name: 'Rollouts' }).locator('tbody tr').count(), LIVE)
      .toBe(2);
    expect(await viewer.getByRole('link', { name: 'New rollout' }).count()).toBe(0);
    await viewer.close();

    const page = await open('operator', 'rollouts/fw-rj');
    await expect
      .poll(() => page.getByLabel('Reason', { exact: true }).textContent(), LIVE)
      .toBe(reason);
    const controls = page.getByRole('group', { name: 'Controls' });
    expect(await controls.getByRole('button').allTextContents()).toEqual([
      'Resume',
      'Retry failed',
      'Abort',
    ]);
    await controls.getByRole('button', { name: 'Abort' }).click();
    const confirm = page.getByRole('form', { name: 'Abort' });
    expect(await confirm.textContent()).toContain('this cannot be undone');
    await confirm.getByLabel('Reason (optional)').fill('wrong image');
    await confirm.getByRole('button', { name: 'Confirm abort' }).click();
    await expect.poll(() => statusOf(page), { timeout: 30_000 }).toBe('ABORTED');
    await expect
      .poll(() => page.getByLabel('Reason', { exact: true }).textContent(), LIVE)
      .toBe('wrong image');
    await expect.poll(() => deviceRow(page, 'rj-1').textContent(), LIVE).toContain('ABORTED');
    expect(await page.getByRole('group', { name: 'Controls' }).count()).toBe(0);
    expect(log).toEqual(['rj-0:update-firmware']);

    await page.getByRole('link', { name: 'All rollouts' }).click();
    const rows = page.getByRole('table', { name: 'Rollouts' }).locator('tbody tr');
    await expect.poll(() => rows.count(), LIVE).toBe(2);
    // Newest first.
    expect(await rows.first().getByRole('rowheader').textContent()).toBe('fw-rj');
    expect(await rows.first().textContent()).toContain('ABORTED');
    expect(await rows.nth(1).textContent()).toContain('COMPLETED');
    await page.getByLabel('Status').selectOption('COMPLETED');
    await expect.poll(() => rows.count(), LIVE).toBe(1);
    await page.getByLabel('Status').selectOption('');
    await expect.poll(() => rows.count(), LIVE).toBe(2);
    await screenshot(page, 'rollouts');
    await page.close();
  });

  it('starts a health-gated rollout from the form and shows why it paused itself, with the evidence', async () => {
    await graphqlOk(
      stack.apiUrl,
      'mutation ($t: ID!, $r: ID!, $rule: JSONObject!) { createAlarmRule(tenantId: $t, ruleId: $r, rule: $rule) { version } }',
      {
        t: g.tenantId,
        r: 'overheat',
        rule: {
          name: 'Overheat',
          alarmType: 'Overheat',
          scope: { deviceProfile: 'wb-hot' },
          severity: 'major',
          condition: { field: 'temperature', above: 80 },
        },
      },
    );
    // On 2.0 each device runs hot: the canary's alarm is the regression the gate finds.
    for (const id of ['hot-0', 'hot-1', 'hot-2']) await hotAfterUpdate(id, 'wb-hot');

    const page = await open('operator', 'rollouts/new');
    const form = page.getByRole('form', { name: 'New rollout' });
    await form.getByLabel('Model').fill('wb-hot');
    await expect
      .poll(() => page.getByLabel('Matching devices').textContent(), LIVE)
      .toBe('3 devices match: 3 active');
    await form.getByLabel('Rollout id').fill('fw-hot');
    await form.getByLabel('Version', { exact: true }).fill('2.0');
    await form.getByLabel('Image URL').fill('https://firmware.example.com/wb-hot/2.0.bin');
    await form.getByLabel('Canary devices').fill('1');
    await form.getByLabel('Devices per wave').fill('1');
    await form.getByLabel('Time-out (s)').fill('60');
    await form.getByLabel('Retries').fill('0');
    await form.getByRole('checkbox', { name: /Bake after each wave/ }).check();
    await form.getByLabel('Bake (s)').fill('3');
    await form.getByRole('button', { name: 'Start rollout' }).click();

    await expect
      .poll(() => page.getByLabel('Reason', { exact: true }).textContent(), { timeout: 60_000 })
      .toMatch(/^paused automatically: health gate after wave 0: alarms per device/);
    expect(await statusOf(page)).toBe('PAUSED');
    const evidence = page.getByRole('table', { name: 'Evidence after the canary' });
    await expect
      .poll(() => evidence.getByRole('row', { name: /^alarms per device / }).textContent(), LIVE)
      .toContain('broken');
    expect(
      await evidence.getByRole('row', { name: /^alarms per device / }).textContent(),
    ).toContain('none on the others');
    const waves = page.getByRole('figure', { name: 'Waves' });
    expect(
      await waves
        .getByRole('img')
        .evaluateAll((bars) => bars.map((b) => b.getAttribute('aria-label'))),
    ).toEqual(['Canary: 1 succeeded of 1', 'Wave 1: 1 pending of 1', 'Wave 2: 1 pending of 1']);
    await screenshot(page, 'rollout');
    // On a tablet the page fits its width (tables scroll inside their own box).
    await page.setViewportSize({ width: 768, height: 1024 });
    expect(await fitsWidth(page)).toBe(true);
    await g.ok(`mutation ($i: RolloutControlInput!) { abortRollout(input: $i) { accepted } }`, {
      i: { tenantId: g.tenantId, rolloutId: 'fw-hot', reason: 'too hot' },
    });
    await expect.poll(() => statusOf(page), LIVE).toBe('ABORTED');
    await page.close();
  });
});

describe('bulk provisioning in the console', () => {
  it('refuses a bad file row by row, provisions a CSV, saves the secrets once and follows each row', async () => {
    const page = await open('operator', 'provisioning');
    const upload = page.getByRole('form', { name: 'Upload devices' });
    await upload.getByLabel('CSV file').setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('serial,method\nsn-bad-1,sometimes\nsn-bad-2,credentials\n'),
    });
    await upload.getByRole('button', { name: 'Provision' }).click();
    const invalid = page.getByRole('table', { name: 'Invalid rows' });
    await expect.poll(() => invalid.locator('tbody tr').count(), LIVE).toBe(1);
    expect(await invalid.getByRole('rowheader').textContent()).toBe('2');
    expect(await invalid.textContent()).toContain('method');

    const csv = [
      'serial,model,method,tags',
      'sn-ui-1,wb-bulk,credentials,batch-1',
      'sn-ui-2,wb-bulk,claim,batch-1',
      'sn-ui-3,,credentials,',
    ].join('\n');
    await upload.getByLabel('CSV file').setInputFiles({
      name: 'devices.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await upload.getByRole('button', { name: 'Provision' }).click();
    await expect.poll(() => page.getByText('3 of 3 rows accepted.').count(), LIVE).toBe(1);
    expect(await page.getByRole('table', { name: 'Invalid rows' }).count()).toBe(0);
    const secrets = page.getByRole('region', { name: 'Secrets' });
    expect(await secrets.textContent()).toContain('Shown once.');

    // The secrets come as a file the browser saves, nowhere on the page.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      secrets.getByRole('button', { name: 'Download secrets (CSV)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^doppel-secrets-.+\.csv$/);
    const lines = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('line,serial,method,secret');
    const saved = Object.fromEntries(
      lines.slice(1).map((l) => {
        const [line, serial, method, secret] = l.split(',');
        return [serial!, { line, method, secret: secret! }];
      }),
    );
    expect(Object.keys(saved).sort()).toEqual(['sn-ui-1', 'sn-ui-2', 'sn-ui-3']);
    expect(saved['sn-ui-1']).toMatchObject({
      line: '2',
      method: 'credentials',
      secret: expect.stringMatching(/^dpl_/),
    });
    expect(saved['sn-ui-2']).toMatchObject({
      method: 'claim',
      secret: expect.stringMatching(/^clm_/),
    });
    expect(await page.locator('body').textContent()).not.toContain(saved['sn-ui-1']!.secret);

    // Each row as the workflow registers it, then its device connecting with the saved secret.
    const row = (serial: string) =>
      page
        .getByRole('table', { name: 'Rows' })
        .getByRole('row', { name: new RegExp(`^${serial} `) });
    for (const serial of ['sn-ui-1', 'sn-ui-2', 'sn-ui-3'])
      await expect
        .poll(() => row(serial).textContent(), { timeout: 30_000 })
        .toContain('REGISTERED');
    expect(await row('sn-ui-1').textContent()).toContain('AWAITING_ACTIVATION');
    devices.push(
      await helloDevice(stack.gatewayUrl, {
        tenantId: g.tenantId,
        deviceId: 'sn-ui-1',
        token: saved['sn-ui-1']!.secret,
      }),
    );
    await expect.poll(() => row('sn-ui-1').textContent(), LIVE).toContain('ACTIVE');
    await screenshot(page, 'provisioning');
    await page.setViewportSize({ width: 768, height: 1024 });
    expect(await fitsWidth(page)).toBe(true);
    await page.close();
  });

  it('is not offered to a viewer', async () => {
    const page = await open('viewer', '');
    const nav = page.getByRole('navigation', { name: 'Pages' }).first();
    await expect.poll(() => nav.getByRole('link', { name: 'Rollouts' }).count(), LIVE).toBe(1);
    expect(await nav.getByRole('link', { name: 'Alarms' }).count()).toBe(1);
    expect(await nav.getByRole('link', { name: 'Provisioning' }).count()).toBe(0);
    await page.close();
  });
});

describe('alarms in the console', () => {
  it("shows a real device's alarm live, counted by severity, and lets an operator acknowledge, assign and clear it", async () => {
    const tenantId = uniqueTenant('console-alarms');
    const meter = exampleProfile('acme-meter-em3');
    await graphqlOk(
      stack.apiUrl,
      'mutation ($t: ID!, $p: JSONObject!) { putDeviceProfile(tenantId: $t, profile: $p) { version } }',
      { t: tenantId, p: meter },
    );
    for (const [ruleId, severity, status] of [
      ['fault', 'critical', 'faulted'],
      ['unavailable', 'warning', 'unavailable'],
    ] as const)
      await graphqlOk(
        stack.apiUrl,
        'mutation ($t: ID!, $r: ID!, $rule: JSONObject!) { createAlarmRule(tenantId: $t, ruleId: $r, rule: $rule) { version } }',
        {
          t: tenantId,
          r: ruleId,
          rule: {
            name: ruleId,
            alarmType: ruleId === 'fault' ? 'Fault' : 'Unavailable',
            scope: { deviceProfile: meter.model },
            severity,
            condition: { field: 'status', in: [status] },
          },
        },
      );
    const faulty = await connectRegistered(stack, tenantId, 'em-ui-1', meter.model);
    const tired = await connectRegistered(stack, tenantId, 'em-ui-2', meter.model);
    devices.push(faulty, tired);
    let seq = 10;
    const report = async (device: TestDevice, status: string) => {
      const at = ++seq;
      device.send({ type: 'report', seq: at, state: { status } });
      expect(await device.next((m) => m.seq === at)).toMatchObject({ type: 'ack' });
    };

    const viewer = await open('viewer', 'alarms', tenantId);
    const page = await open('operator', 'alarms', tenantId);
    const severity = (p: Page, name: string) =>
      p
        .getByRole('figure', { name: /Active alarms by severity/ })
        .locator(`[data-count="${name}"] dd`);
    for (const p of [page, viewer])
      await expect.poll(() => severity(p, 'CRITICAL').textContent(), LIVE).toBe('0');

    // Raised by the devices while the pages are open: they appear without a reload.
    await report(faulty, 'faulted');
    await report(tired, 'unavailable');
    const rows = page.getByRole('table', { name: 'Alarms' }).locator('tbody tr');
    await expect.poll(() => rows.count(), LIVE).toBe(2);
    await expect.poll(() => severity(page, 'CRITICAL').textContent(), LIVE).toBe('1');
    expect(await severity(page, 'WARNING').textContent()).toBe('1');
    const fault = page.getByRole('row', { name: /^em-ui-1 / });
    expect(await fault.textContent()).toContain('CRITICAL');

    await fault.getByRole('button', { name: 'Acknowledge Fault on em-ui-1' }).click();
    await expect.poll(() => fault.textContent(), LIVE).toContain('by user:operator-user');
    await fault.getByRole('button', { name: 'Assign' }).click();
    await fault.getByLabel('Assignee').fill('alice');
    await fault
      .getByRole('form', { name: 'Assign Fault on em-ui-1' })
      .getByRole('button', { name: 'Assign' })
      .click();
    await expect.poll(() => fault.textContent(), LIVE).toContain('alice');
    await screenshot(page, 'alarms');
    await page.setViewportSize({ width: 768, height: 1024 });
    expect(await fitsWidth(page)).toBe(true);

    // The viewer saw it all live, with no action offered.
    await expect
      .poll(() => viewer.getByRole('row', { name: /^em-ui-1 / }).textContent(), LIVE)
      .toContain('alice');
    expect(await viewer.getByRole('table', { name: 'Alarms' }).getByRole('button').count()).toBe(0);
    expect(await viewer.getByRole('columnheader', { name: 'Actions' }).count()).toBe(0);

    // Clearing asks first; then the alarm leaves the active list and the count.
    await fault.getByRole('button', { name: 'Clear' }).click();
    const confirm = fault.getByRole('form', { name: 'Clear' });
    expect(await confirm.textContent()).toContain('It ends the alarm');
    await confirm.getByRole('button', { name: 'Confirm clear' }).click();
    await expect.poll(() => severity(page, 'CRITICAL').textContent(), LIVE).toBe('0');
    await expect.poll(() => rows.count(), LIVE).toBe(1);
    await page
      .getByRole('form', { name: 'Filter alarms' })
      .getByLabel('Status')
      .selectOption('CLEARED');
    await expect.poll(() => rows.first().textContent(), LIVE).toContain('em-ui-1');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('CLEARED');
    expect(await rows.first().textContent()).toContain('(operator)');
    await viewer.close();
    await page.close();
  });
});

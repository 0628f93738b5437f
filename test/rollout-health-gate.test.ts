import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlarmRule } from '../db/alarm-rule-store';
import { alarmRuleSchema } from '../twins/alarms/rule';
import { ADMIN_TOKEN } from './support/auth';
import type { TestDevice } from './support/device-client';
import { bootPayload, connectStation, type Station } from './support/ocpp-station';
import { control, START, untilActiveOn, untilRollout } from './support/firmware-device';
import { startTestStack, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

/**
 * Fault fingerprints and health-gated rollouts (issue 19, item 7; docs/fleet-operations.md
 * "Health-gated rollouts", docs/alarms.md "Fault fingerprints"): real devices over the native
 * JSON protocol, the real gateway, Temporal and PostgreSQL. An alarm rule made here raises an
 * alarm when a device reports a temperature above 80.
 */
let stack: TestStack;
const open: TestDevice[] = [];
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  open.splice(0).forEach((d) => d.close());
  await stack?.stop();
});

const HEALTH = `query ($t: ID!, $r: ID!) { rollout(tenantId: $t, rolloutId: $r) {
  status reason counts { pending succeeded failed }
  healthChecks { wave status bakeFrom bakeUntil reason evidence } } }`;
const FINGERPRINTS = `query ($t: ID!, $f: FaultFingerprintFilter) {
  faultFingerprints(tenantId: $t, filter: $f) { totalCount nodes {
    fingerprint errorCode vendorCode firmware model firstSeen lastSeen count devicesAffected
    status resolvedInFirmware resolvedBy } } }`;
const RESOLVE = `mutation ($t: ID!, $f: ID!, $v: String) {
  resolveFault(tenantId: $t, fingerprint: $f, resolvedInFirmware: $v) { status resolvedInFirmware } }`;

async function overheatRule(g: TwinGraph, model: string) {
  await createAlarmRule(
    stack.database,
    { tenantId: g.tenantId, ruleId: 'overheat', actor: 'ops', role: 'admin' },
    alarmRuleSchema.parse({
      name: 'Overheat',
      alarmType: 'Overheat',
      scope: { deviceProfile: model },
      severity: 'major',
      condition: { field: 'temperature', above: 80 },
    }),
  );
}

let seq = 100;
/** A report the gateway acknowledged (its alarms are committed before the ack). */
async function report(device: TestDevice, state: Record<string, unknown>) {
  const s = ++seq;
  device.send({ type: 'report', seq: s, state });
  expect(await device.next((m) => m.seq === s)).toMatchObject({ type: 'ack' });
}

/**
 * A device on 1.0 that, told to update, accepts, reboots into the new version and then reports
 * `after` (its state on the new firmware).
 */
async function updatingDevice(
  g: TwinGraph,
  deviceId: string,
  model: string,
  after: Record<string, unknown>,
) {
  const token = await g.register(deviceId, model);
  const device = await g.connect(deviceId, token, '1.0');
  open.push(device);
  await untilActiveOn(g, deviceId, '1.0');
  void (async () => {
    const command = await device.next((m) => m.type === 'command', 120_000).catch(() => null);
    if (!command) return;
    device.send({ type: 'command-result', seq: 2, id: command.id, status: 'accepted' });
    await new Promise((r) => setTimeout(r, 300));
    device.close();
    const version = (command.params as { version: string }).version;
    const updated = await g.connect(deviceId, token, version);
    open.push(updated);
    await report(updated, after);
  })();
}

const rolloutConfig = (id: string, model: string, bakeSeconds: number) => ({
  id,
  firmware: { version: '2.0', url: `https://firmware.example.com/${model}/2.0.bin` },
  target: { models: [model] },
  canary: { devices: 1 },
  waves: { mode: 'constant', size: 1 },
  perDevice: { timeoutS: 60, retries: 0 },
  healthGate: { bakeSeconds },
});

describe('health-gated rollouts', () => {
  it('pauses the rollout when the updated devices raise alarms the others do not, with the evidence', async () => {
    const g = new TwinGraph(stack);
    await overheatRule(g, 'wb-hot');
    for (const id of ['h-0', 'h-1', 'h-2'])
      await updatingDevice(g, id, 'wb-hot', { temperature: 95 });
    await g.ok(START, { c: rolloutConfig('fw-hot', 'wb-hot', 3) });
    const paused = await untilRollout(g, 'fw-hot', (r) => r.status === 'PAUSED', 60_000);
    // The canary (h-0) updated; nobody else was commanded.
    expect(paused.counts).toMatchObject({ succeeded: 1, pending: 2, failed: 0 });
    expect(paused.reason).toMatch(
      /^paused automatically: health gate after wave 0: alarms per device/,
    );
    const { rollout } = await g.ok(HEALTH, { r: 'fw-hot' });
    expect(rollout.healthChecks).toHaveLength(1);
    const [check] = rollout.healthChecks;
    expect(check).toMatchObject({
      wave: 0,
      status: 'FAILED',
      reason: paused.reason.replace('paused automatically: ', ''),
    });
    expect(Date.parse(check.bakeUntil) - Date.parse(check.bakeFrom)).toBeGreaterThanOrEqual(3_000);
    const alarms = check.evidence.checks.find((c: any) => c.metric === 'alarmsPerDevice');
    expect(alarms).toMatchObject({
      updated: { devices: 1, count: 1, rate: 1 },
      baseline: { devices: 2, count: 0, rate: 0 },
      ratio: 'infinite',
      limit: 1.5,
      broken: true,
    });
    // The alarm's fault is new to 2.0: its fingerprint is named too.
    const fingerprints = check.evidence.checks.find((c: any) => c.metric === 'newFingerprints');
    expect(fingerprints).toMatchObject({ updated: { count: 1 }, limit: 0, broken: true });
    expect(fingerprints.fingerprints).toMatchObject([
      { errorCode: 'Overheat', firmware: '2.0', model: 'wb-hot' },
    ]);
    // What the operator reads with the CLI: the gate, its verdict and what broke.
    const { stdout } = await promisify(execFile)(
      join(process.cwd(), 'node_modules/.bin/tsx'),
      [
        join(process.cwd(), 'graphql/cli/doppel.ts'),
        '--api',
        stack.apiUrl,
        'rollout',
        'show',
        'fw-hot',
        '--tenant',
        g.tenantId,
      ],
      { env: { ...process.env, DOPPEL_TOKEN: ADMIN_TOKEN } },
    );
    expect(stdout).toContain(`  health gate after wave 0: failed · ${check.reason}\n`);
    // The operator decides: abort.
    await g.ok(control('abortRollout'), { i: { tenantId: g.tenantId, rolloutId: 'fw-hot' } });
    const aborted = await untilRollout(g, 'fw-hot', (r) => r.status === 'ABORTED');
    expect(aborted.counts).toMatchObject({ succeeded: 1, aborted: 2 });
  }, 120_000);

  it('pauses when updated OCPP 1.6 stations fail their charging sessions while the others charge', async () => {
    const g = new TwinGraph(stack);
    const now: Record<string, Station> = {};
    /** A session of the station now: started and stopped with this reason, delivering `wh`. */
    const session = async (id: string, reason: string, wh: number) => {
      const cp = now[id]!;
      const { transactionId } = await cp.call('StartTransaction', {
        connectorId: 1,
        idTag: 'TAG-1',
        meterStart: 1_000,
        timestamp: new Date().toISOString(),
      });
      await cp.call('StopTransaction', {
        transactionId,
        meterStop: 1_000 + wh,
        timestamp: new Date().toISOString(),
        reason,
      });
    };
    const boot = async (id: string, token: string, firmware: string) => {
      const cp = await connectStation(stack.ocppUrl, 'ocpp1.6', id, token, g.tenantId);
      now[id] = cp;
      cp.handle(() => {
        // UpdateFirmware: install, reboot into the new version; there every session stops on
        // a power loss, delivering nothing, while the stations not yet updated charge fine.
        void (async () => {
          await cp.call('FirmwareStatusNotification', { status: 'Installed' });
          await cp.close();
          await boot(id, token, 'fw-2');
          await session(id, 'PowerLoss', 0);
          for (const other of Object.keys(now).filter((o) => o !== id))
            await session(other, 'Local', 5_000);
        })();
        return {};
      });
      await cp.call('BootNotification', bootPayload('ocpp1.6', firmware));
    };
    for (const id of ['cp-0', 'cp-1', 'cp-2']) {
      await boot(id, await g.register(id, 'AC-22'), 'fw-1');
      await untilActiveOn(g, id, 'fw-1');
    }
    await g.ok(START, {
      c: {
        ...rolloutConfig('fw-power', 'AC-22', 3),
        firmware: { version: 'fw-2', url: 'https://firmware.example.com/ac-22/2.bin' },
      },
    });
    const paused = await untilRollout(g, 'fw-power', (r) => r.status === 'PAUSED', 60_000);
    expect(paused.counts).toMatchObject({ succeeded: 1, pending: 2 });
    expect(paused.reason).toBe(
      'paused automatically: health gate after wave 0: failed charging sessions 1 of 1 sessions on updated vs 0 of 2 sessions on not yet updated (none on the others, limit 1.5)',
    );
    const { rollout } = await g.ok(HEALTH, { r: 'fw-power' });
    expect(rollout.healthChecks[0].evidence.checks.map((c: any) => [c.metric, c.broken])).toEqual([
      ['alarmsPerDevice', false],
      ['newFingerprints', false],
      ['reconnectsPerDevice', false],
      ['failedSessionRate', true],
    ]);
    await g.ok(control('abortRollout'), { i: { tenantId: g.tenantId, rolloutId: 'fw-power' } });
    await untilRollout(g, 'fw-power', (r) => r.status === 'ABORTED');
    for (const cp of Object.values(now)) await cp.close().catch(() => undefined);
  }, 120_000);

  it('a healthy rollout passes its gate after every wave but the last and completes', async () => {
    const g = new TwinGraph(stack);
    await overheatRule(g, 'wb-cool');
    for (const id of ['c-0', 'c-1', 'c-2'])
      await updatingDevice(g, id, 'wb-cool', { temperature: 30 });
    await g.ok(START, { c: rolloutConfig('fw-cool', 'wb-cool', 1) });
    const done = await untilRollout(g, 'fw-cool', (r) => r.status === 'COMPLETED', 90_000);
    expect(done.counts).toMatchObject({ succeeded: 3, failed: 0, pending: 0 });
    const { rollout } = await g.ok(HEALTH, { r: 'fw-cool' });
    expect(rollout.healthChecks.map((c: any) => [c.wave, c.status])).toEqual([
      [0, 'PASSED'],
      [1, 'PASSED'],
    ]);
    expect(rollout.healthChecks[0].evidence.checks.map((c: any) => c.broken)).not.toContain(true);
  }, 120_000);

  it('refuses a health gate with a bake period under a second', async () => {
    const g = new TwinGraph(stack);
    const config = { ...rolloutConfig('fw-bad', 'wb-bad', 1), healthGate: { bakeSeconds: 0 } };
    expect(await g.refused(START, { c: config })).toBe('rollout:config.invalid');
  });
});

describe('fault fingerprints', () => {
  it('groups alarm raises by fault, firmware and model with counts; a resolved fault that recurs is regressed', async () => {
    const g = new TwinGraph(stack);
    await overheatRule(g, 'wb-fp');
    const devices: TestDevice[] = [];
    const tokens: string[] = [];
    for (const id of ['f-0', 'f-1']) {
      tokens.push(await g.register(id, 'wb-fp'));
      const d = await g.connect(id, tokens.at(-1)!, '1.0');
      open.push(d);
      devices.push(d);
      await untilActiveOn(g, id, '1.0');
    }
    const [a] = devices as [TestDevice, TestDevice];
    let b = devices[1]!;
    const flare = async (d: TestDevice) => {
      await report(d, { temperature: 95 });
      await report(d, { temperature: 20 });
    };
    await flare(a);
    await flare(a);
    await flare(b);
    const list = async (filter?: Record<string, unknown>) =>
      (await g.ok(FINGERPRINTS, { f: filter ?? null })).faultFingerprints;
    const first = await list();
    expect(first.totalCount).toBe(1);
    const [fp] = first.nodes;
    expect(fp).toMatchObject({
      errorCode: 'Overheat',
      vendorCode: null,
      firmware: '1.0',
      model: 'wb-fp',
      count: 3,
      devicesAffected: 2,
      status: 'OPEN',
    });
    expect(Date.parse(fp.lastSeen)).toBeGreaterThan(Date.parse(fp.firstSeen));

    // Resolved in 1.1: the devices still on 1.0 go on raising it, which is no regression.
    expect(await g.ok(RESOLVE, { f: fp.fingerprint, v: '1.1' })).toEqual({
      resolveFault: { status: 'RESOLVED', resolvedInFirmware: '1.1' },
    });
    await flare(a);
    expect((await list({ status: 'RESOLVED' })).nodes[0]).toMatchObject({ count: 4 });
    // The same fault on 1.1, the firmware said to fix it: a new fingerprint, born regressed.
    b.close();
    b = await g.connect('f-1', tokens[1]!, '1.1');
    open.push(b);
    await untilActiveOn(g, 'f-1', '1.1');
    await flare(b);
    expect((await list({ firmware: '1.1' })).nodes).toMatchObject([
      { errorCode: 'Overheat', firmware: '1.1', count: 1, devicesAffected: 1, status: 'REGRESSED' },
    ]);
    // Resolved without a version: the next occurrence is a regression.
    await g.ok(RESOLVE, { f: fp.fingerprint, v: null });
    await flare(a);
    expect((await list({ status: 'RESOLVED' })).totalCount).toBe(0);
    expect(
      (await list({ status: 'REGRESSED', model: 'wb-fp', firmware: '1.0' })).nodes,
    ).toMatchObject([{ fingerprint: fp.fingerprint, count: 5, devicesAffected: 2 }]);
    expect(await g.refused(RESOLVE, { f: 'f'.repeat(32), v: null })).toBe('fault:unknown');
  }, 60_000);
});

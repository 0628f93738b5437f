import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { graphql, sseSubscription } from './support/graphql';
import {
  closeFirmwareDevices,
  firmwareDevice,
  ROLLOUT,
  START,
  untilRollout,
} from './support/firmware-device';
import { startTestStack, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

/**
 * Rollouts in time: a start time, maintenance windows, an end, and continuous mode — followed
 * by the operator CLI over the progress subscription (graphql-ws), against the real stack.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  closeFirmwareDevices();
  await stack?.stop();
});

/** A 6-field (with seconds) cron expression that fires at `at`, read in UTC. */
const cronAt = (at: Date) =>
  `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;

describe('rollout schedule', () => {
  it('waits for its start, then for its maintenance window, and commands devices only inside it; the CLI follows it to the end', async () => {
    const g = new TwinGraph(stack);
    const log: string[] = [];
    for (const id of ['s-0', 's-1'])
      await firmwareDevice(g, id, await g.register(id, 'wb-s'), '1.0', 'update', log);

    const startAt = new Date(Date.now() + 3_000);
    const windowOpens = new Date(Date.now() + 20_000);
    const config = {
      id: 'fw-night',
      firmware: { version: '2.0', url: 'https://firmware.example.com/wb-s/2.0.bin' },
      target: { models: ['wb-s'] },
      canary: { devices: 1 },
      waves: { mode: 'constant', size: 5 },
      perDevice: { timeoutS: 40, retries: 0 },
      schedule: {
        startAt: startAt.toISOString(),
        timezone: 'UTC',
        maintenanceWindows: [{ cron: cronAt(windowOpens), durationMinutes: 1 }],
      },
    };
    await g.ok(START, { c: config });
    const scheduled = (await g.ok(ROLLOUT, { r: 'fw-night' })).rollout;
    expect(scheduled.status).toBe('SCHEDULED');
    expect(scheduled.devices).toEqual([]);

    const seen: string[] = [];
    const watching = runCli(
      stack.apiUrl,
      ['rollout', 'watch', 'fw-night', '--tenant', g.tenantId],
      (t) => seen.push(t),
    );

    // Started, outside its window: targets fixed, nobody commanded.
    const waiting = await untilRollout(g, 'fw-night', (r) => r.status === 'WAITING', 15_000);
    expect(waiting.counts).toMatchObject({ pending: 2, commanded: 0 });
    expect(Date.now()).toBeLessThan(windowOpens.getTime());
    expect(log).toEqual([]);

    const done = await untilRollout(g, 'fw-night', (r) => r.status === 'COMPLETED', 60_000);
    expect(done.counts).toMatchObject({ succeeded: 2, failed: 0, pending: 0 });
    const commanded = await g.ok(
      `query ($t: ID!, $r: ID!) { rollout(tenantId: $t, rolloutId: $r) { devices { commandedAt } } }`,
      { r: 'fw-night' },
    );
    for (const d of commanded.rollout.devices)
      expect(Date.parse(d.commandedAt)).toBeGreaterThanOrEqual(windowOpens.getTime() - 1_000);
    expect([...log].sort()).toEqual(['s-0:update-firmware', 's-1:update-firmware']);

    // The CLI saw every stage over the subscription and ended with the rollout.
    const cli = await watching;
    expect(cli.stderr).toContain('rollout fw-night 0/0 scheduled');
    expect(cli.stderr).toContain('rollout fw-night 0/2 waiting');
    expect(cli.stderr).toContain('rollout fw-night 2/2 completed');
    expect(cli.stdout).toContain('completed · 2 updated, 0 failed');
    expect(cli.code).toBe(0);
  }, 90_000);

  it('runs continuously: a device that matches later joins, until the schedule ends', async () => {
    const g = new TwinGraph(stack);
    const log: string[] = [];
    await firmwareDevice(g, 'c-0', await g.register('c-0', 'wb-c'), '1.0', 'update', log);
    const endAt = new Date(Date.now() + 30_000);
    await g.ok(START, {
      c: {
        id: 'fw-always',
        firmware: { version: '2.0', url: 'https://firmware.example.com/wb-c/2.0.bin' },
        target: { models: ['wb-c'] },
        perDevice: { timeoutS: 20, retries: 0 },
        continuous: { checkEveryS: 5 },
        schedule: { endAt: endAt.toISOString() },
      },
    });
    // Followed over SSE too: each event the whole state, the stream ending with the rollout.
    const sse = await sseSubscription(
      stack.apiUrl,
      `subscription ($t: ID!, $r: ID!) { rolloutProgress(tenantId: $t, rolloutId: $r) { status targeted counts { succeeded } } }`,
      { t: g.tenantId, r: 'fw-always' },
    );
    const first = await untilRollout(g, 'fw-always', (r) => r.counts.succeeded === 1);
    expect(first.status).toBe('RUNNING');

    // A device provisioned after the rollout started joins it.
    await firmwareDevice(g, 'c-1', await g.register('c-1', 'wb-c'), '1.0', 'update', log);
    const joined = await untilRollout(g, 'fw-always', (r) => r.counts.succeeded === 2, 30_000);
    expect(joined.status).toBe('RUNNING');
    expect(joined.devices.map((d: any) => [d.deviceId, d.position])).toEqual([
      ['c-0', 0],
      ['c-1', 1],
    ]);

    const ended = await untilRollout(g, 'fw-always', (r) => r.status === 'COMPLETED', 40_000);
    expect(Date.now()).toBeGreaterThanOrEqual(endAt.getTime());
    expect(ended.reason).toBe(`the schedule ended at ${endAt.toISOString()}`);
    expect([...log].sort()).toEqual(['c-0:update-firmware', 'c-1:update-firmware']);

    await sse.ended;
    const seen = sse.events.map((e) => e.data?.rolloutProgress);
    expect(seen.at(-1)).toEqual({ status: 'COMPLETED', targeted: 2, counts: { succeeded: 2 } });
    expect(seen).toContainEqual({ status: 'RUNNING', targeted: 2, counts: { succeeded: 1 } });
  }, 90_000);

  it('refuses a schedule it cannot keep, with the field named', async () => {
    const g = new TwinGraph(stack);
    const code = await g.refused(START, {
      c: {
        id: 'fw-bad',
        firmware: { version: '2.0', url: 'https://firmware.example.com/x.bin' },
        schedule: { maintenanceWindows: [{ cron: 'nightly', durationMinutes: 60 }] },
      },
    });
    expect(code).toBe('rollout:config.invalid');
    const message = (
      await graphql(stack.apiUrl, START, {
        t: g.tenantId,
        c: {
          id: 'fw-bad',
          firmware: { version: '2.0', url: 'https://firmware.example.com/x.bin' },
          schedule: { timezone: 'Mars/Olympus' },
        },
      })
    ).errors?.[0]?.message;
    expect(message).toContain('schedule.timezone');
  });
});

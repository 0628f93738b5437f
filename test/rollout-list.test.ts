import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmptyRollout } from './support/fleet-objects';
import { START, untilRollout } from './support/firmware-device';
import { graphql } from './support/graphql';
import { startTestStack, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

/**
 * The list of a tenant's rollouts (newest first, paged on the server) and what a console draws
 * of one: its kind, its waves with their counts, its devices page by page, and a refused
 * configuration with each issue's field.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const LIST = `query ($t: ID!, $first: Int, $after: String, $status: RolloutStatus) {
  rollouts(tenantId: $t, first: $first, after: $after, status: $status) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { rolloutId kind status targeted counts { skipped } }
  } }`;
const FIRMWARE = { version: '2.0', url: 'https://firmware.example.com/2.0.bin' };

describe('the rollouts of a tenant', () => {
  it('lists them newest first, page by page, by status, with their kind', async () => {
    const g = new TwinGraph(stack);
    for (const id of ['fw-a', 'fw-b', 'fw-c']) await startEmptyRollout(stack, g.tenantId, id);
    await g.ok(
      `mutation ($t: ID!, $c: BulkCommandConfigInput!) { startBulkCommand(tenantId: $t, command: $c) { created } }`,
      { c: { id: 'reboot-all', command: { name: 'Reset' }, target: { models: ['nobody'] } } },
    );
    // One that waits for its start time: SCHEDULED until an operator aborts it.
    await g.ok(START, {
      c: { id: 'fw-later', firmware: FIRMWARE, schedule: { startAt: '2099-01-01T00:00:00Z' } },
    });
    await untilRollout(g, 'reboot-all', (r) => r.status === 'COMPLETED');
    await untilRollout(g, 'fw-later', (r) => r.status === 'SCHEDULED');

    const first = (await g.ok(LIST, { first: 2 })).rollouts;
    expect(first.totalCount).toBe(5);
    expect(first.nodes.map((r: any) => [r.rolloutId, r.kind])).toEqual([
      ['fw-later', 'FIRMWARE'],
      ['reboot-all', 'COMMAND'],
    ]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = (await g.ok(LIST, { first: 10, after: first.pageInfo.endCursor })).rollouts;
    expect(rest.nodes.map((r: any) => r.rolloutId)).toEqual(['fw-c', 'fw-b', 'fw-a']);
    expect(rest.pageInfo.hasNextPage).toBe(false);

    const scheduled = (await g.ok(LIST, { status: 'SCHEDULED' })).rollouts;
    expect(scheduled.nodes.map((r: any) => r.rolloutId)).toEqual(['fw-later']);
    expect(scheduled.totalCount).toBe(1);
    await g.ok(`mutation ($i: RolloutControlInput!) { abortRollout(input: $i) { accepted } }`, {
      i: { tenantId: g.tenantId, rolloutId: 'fw-later', reason: 'not this year' },
    });
    await untilRollout(g, 'fw-later', (r) => r.status === 'ABORTED');
    expect((await g.ok(LIST, { status: 'SCHEDULED' })).rollouts.nodes).toEqual([]);
    expect((await g.ok(LIST, { status: 'COMPLETED' })).rollouts.totalCount).toBe(4);

    // Another tenant's list is empty; a made-up cursor and a bad page size are refused.
    const other = new TwinGraph(stack);
    expect((await other.ok(LIST, {})).rollouts).toMatchObject({ totalCount: 0, nodes: [] });
    expect(await g.refused(LIST, { after: 'bm90LWEtY3Vyc29y' })).toBe('api:input.invalid-cursor');
    expect(await g.refused(LIST, { first: 0 })).toBe('api:input.invalid-page-size');
  });

  it("draws a rollout's waves with their counts and pages through its devices", async () => {
    const g = new TwinGraph(stack);
    // Registered, never connected: each is skipped when its turn comes (not active).
    for (let i = 0; i < 5; i++) await g.register(`d-${i}`, 'wave-model');
    await g.ok(START, {
      c: {
        id: 'fw-waves',
        firmware: FIRMWARE,
        target: { models: ['wave-model'] },
        canary: { devices: 1 },
        waves: { mode: 'constant', size: 2 },
      },
    });
    await untilRollout(g, 'fw-waves', (r) => r.status === 'COMPLETED');
    const { rollout } = await g.ok(
      `query ($t: ID!) { rollout(tenantId: $t, rolloutId: "fw-waves") {
        waves { wave from size counts { skipped succeeded } }
        page: devices(first: 2, after: 0) { deviceId position status detail }
        skipped: devices(status: SKIPPED) { deviceId }
        failed: devices(status: FAILED) { deviceId } } }`,
    );
    expect(rollout.waves).toEqual([
      { wave: 0, from: 0, size: 1, counts: { skipped: 1, succeeded: 0 } },
      { wave: 1, from: 1, size: 2, counts: { skipped: 2, succeeded: 0 } },
      { wave: 2, from: 3, size: 2, counts: { skipped: 2, succeeded: 0 } },
    ]);
    expect(rollout.page).toEqual([
      { deviceId: 'd-1', position: 1, status: 'SKIPPED', detail: 'device is provisioned' },
      { deviceId: 'd-2', position: 2, status: 'SKIPPED', detail: 'device is provisioned' },
    ]);
    expect(rollout.skipped).toHaveLength(5);
    expect(rollout.failed).toEqual([]);
  });

  it('refuses a configuration naming each invalid field by its path', async () => {
    const g = new TwinGraph(stack);
    const res = await graphql(stack.apiUrl, START, {
      t: g.tenantId,
      c: {
        id: 'fw-bad',
        firmware: { version: '2.0', url: 'firmware.bin' },
        canary: { devices: 0 },
      },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('rollout:config.invalid');
    const { issues } = res.errors![0]!.extensions as unknown as {
      issues: Array<{ path: unknown[] }>;
    };
    expect(issues.map((i) => i.path.join('.')).sort()).toEqual(['canary.devices', 'firmware.url']);
  });
});

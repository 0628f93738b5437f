import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_CHANGES, eventsOf, setTags, subscribe } from './support/change-subscriptions';
import {
  ReconnectingDevice,
  startClusterNodes,
  type RunningCluster,
} from './support/cluster-nodes';
import { eventually, graphqlOk } from './support/graphql';
import { isAlive } from '../deploy/embedded/child-process';

// Several nodes of every role on the real Temporal server (issue 17, item 2): each test kills
// one process with SIGKILL under traffic from real clients and checks what users would see.
let cluster: RunningCluster;
const devices: ReconnectingDevice[] = [];
beforeAll(async () => {
  // Killed processes stay dead for the length of a test: what takes over is the other node.
  cluster = await startClusterNodes({ CLUSTER_RESTART_AFTER_MS: '120000' });
}, 360_000);
afterAll(async () => {
  for (const d of devices) d.stop();
  expect(await cluster?.stop()).toBe(0);
}, 120_000);

const REGISTER = `mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }`;
const SEND = `mutation ($i: SendCommandInput!) { sendCommand(input: $i) { commandId } }`;

/** Registers `count` devices of a fresh tenant and starts each as a reconnecting device. */
async function fleet(tenantId: string, count: number, model?: string, everyMs = 200) {
  const started: ReconnectingDevice[] = [];
  for (let i = 0; i < count; i++) {
    const deviceId = `d-${i}`;
    const { registerDevice } = await graphqlOk(cluster.apiUrl, REGISTER, {
      i: { tenantId, deviceId, ...(model ? { model } : {}) },
    });
    const device = new ReconnectingDevice(
      cluster.gatewayUrl,
      tenantId,
      deviceId,
      registerDevice.token,
    );
    devices.push(device);
    started.push(device);
    await device.start(everyMs);
  }
  return started;
}

/** Where the twins say each online device is connected (gateway node), from PostgreSQL. */
async function gatewayOf(tenantId: string): Promise<Record<string, string | null>> {
  const rows = await cluster.sql<{ device_id: string; node: string | null }[]>`
    select device_id, case when connectivity = 'online'
      then state->'connectivity'->>'gatewayNode' end as node
    from device_twins where tenant_id = ${tenantId}`;
  return Object.fromEntries(rows.map((r) => [r.device_id, r.node]));
}

/** Nothing a device was told is stored is missing: its acked samples, its acked report. */
async function expectNothingAckedLost(tenantId: string, fleetOf: ReconnectingDevice[]) {
  for (const device of fleetOf) {
    const rows = await cluster.sql<{ at: Date }[]>`
      select at from telemetry where tenant_id = ${tenantId} and device_id = ${device.deviceId}`;
    const stored = new Set(rows.map((r) => r.at.toISOString()));
    expect(device.ackedSamples.length).toBeGreaterThan(0);
    expect(device.ackedSamples.filter((at) => !stored.has(at))).toEqual([]);
  }
  // The twins converge on at least what was acknowledged (a report stored just before a crash
  // may never have been acked: more is fine, less is a loss).
  await eventually(async () => {
    const rows = await cluster.sql<{ device_id: string; counter: number | null }[]>`
      select device_id, (reported->>'counter')::int as counter
      from device_twins where tenant_id = ${tenantId}`;
    const counter = Object.fromEntries(rows.map((r) => [r.device_id, r.counter ?? 0]));
    const behind = fleetOf.filter((d) => counter[d.deviceId]! < d.ackedCounter);
    return behind.length === 0 ? true : undefined;
  }, 60_000);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('several nodes of every role (cluster profile)', () => {
  it('a gateway killed under load: its devices reconnect through the balancer to the other gateway, their twins show it, a command sent meanwhile reaches them, nothing acked is lost', async () => {
    const tenantId = 'nodes-gw';
    const fleetOf = await fleet(tenantId, 8);
    // The balancer spreads them (fewest connections first): both gateways carry devices.
    const before = await eventually(async () => {
      const at = await gatewayOf(tenantId);
      const nodes = new Set(Object.values(at));
      return nodes.has('gateway-1') && nodes.has('gateway-2') && !nodes.has(null) ? at : undefined;
    }, 30_000);
    const victims = fleetOf.filter((d) => before[d.deviceId] === 'gateway-1');
    const connectionsBefore = new Map(victims.map((d) => [d.deviceId, d.connections]));
    await pause(1_000);

    const killed = cluster.kill('gateway-1');
    const target = victims[0]!;
    const { sendCommand } = await graphqlOk(cluster.apiUrl, SEND, {
      i: { tenantId, deviceId: target.deviceId, name: 'ping', params: { n: 1 } },
    });

    // Every device of the dead node is back, on the live one, as its twin says.
    await eventually(async () => {
      const at = await gatewayOf(tenantId);
      return victims.every((d) => at[d.deviceId] === 'gateway-2') ? true : undefined;
    }, 60_000);
    for (const d of victims)
      expect(d.connections).toBeGreaterThan(connectionsBefore.get(d.deviceId)!);
    expect(isAlive(killed)).toBe(false);
    // The command sent while it was reconnecting reached it, once (every command message the
    // device got is logged), and its answer is recorded on the twin.
    const pings = () => target.commands.filter((c) => c.name === 'ping');
    await eventually(async () => (pings().length > 0 ? true : undefined), 45_000);
    await eventually(async () => {
      const { device } = await graphqlOk(
        cluster.apiUrl,
        `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { connectivity { status } commands { id status } } }`,
        { t: tenantId, d: target.deviceId },
      );
      const command = device.commands.find((c: any) => c.id === sendCommand.commandId);
      return command?.status === 'SUCCEEDED' && device.connectivity.status === 'ONLINE'
        ? true
        : undefined;
    }, 30_000);

    expect(pings()).toHaveLength(1);
    // Traffic went on through the live gateway; then nothing acknowledged is missing.
    const acked = fleetOf.map((d) => d.ackedCounter);
    await eventually(async () =>
      fleetOf.every((d, i) => d.ackedCounter > acked[i]!) ? true : undefined,
    );
    for (const d of fleetOf) d.stop();
    await expectNothingAckedLost(tenantId, fleetOf);
    expect(cluster.output()).toContain('gateway-1 exited unexpectedly');
  }, 240_000);

  it('a worker killed mid-rollout: the rollout completes and no device is commanded twice', async () => {
    const tenantId = 'nodes-worker';
    // A report every 2 s each: the rollout, not the twins' throughput on one worker, is tested.
    const fleetOf = await fleet(tenantId, 16, 'wb-nodes', 2_000);
    await eventually(async () => {
      const at = await gatewayOf(tenantId);
      return Object.keys(at).length === 16 && !Object.values(at).includes(null) ? true : undefined;
    }, 30_000);
    const ROLLOUT = `query ($t: ID!) { rollout(tenantId: $t, rolloutId: "reboot-all") {
      status counts { commanded succeeded failed } devices { deviceId status attempts } } }`;
    await graphqlOk(
      cluster.apiUrl,
      `mutation ($t: ID!, $c: BulkCommandConfigInput!) { startBulkCommand(tenantId: $t, command: $c) { workflowId } }`,
      {
        t: tenantId,
        c: {
          id: 'reboot-all',
          command: { name: 'reboot', params: {} },
          target: { models: ['wb-nodes'] },
          canary: { devices: 1 },
          waves: { mode: 'constant', size: 3 },
          maxConcurrency: 3,
          perDevice: { timeoutS: 60, retries: 0 },
        },
      },
    );
    // Mid-rollout: some devices commanded, most not yet.
    await eventually(async () => {
      const { rollout } = await graphqlOk(cluster.apiUrl, ROLLOUT, { t: tenantId });
      return rollout && rollout.counts.commanded + rollout.counts.succeeded >= 3 ? true : undefined;
    }, 60_000);
    const { rollout: midway } = await graphqlOk(cluster.apiUrl, ROLLOUT, { t: tenantId });
    expect(midway.status).not.toBe('COMPLETED');
    cluster.kill('worker-1');

    const done = await eventually(async () => {
      const { rollout } = await graphqlOk(cluster.apiUrl, ROLLOUT, { t: tenantId });
      return rollout.status === 'COMPLETED' ? rollout : undefined;
    }, 180_000);
    expect(done.counts).toMatchObject({ succeeded: 16, failed: 0 });
    // Every device got the command exactly once: each message it received is in its log.
    for (const d of fleetOf) expect(d.commands.map((c) => c.name)).toEqual(['reboot']);
    for (const d of fleetOf) d.stop();
    expect(cluster.output()).toContain('worker-1 exited unexpectedly');
  }, 300_000);

  it('an API process killed: a subscription resumes from its cursor on the other one, with no gap and no repeat', async () => {
    const tenantId = 'nodes-api';
    for (const d of ['s-1', 's-2'])
      await graphqlOk(cluster.apiUrl, REGISTER, { i: { tenantId, deviceId: d } });
    const api1 = cluster.topology.nodes.find((n) => n.name === 'api-1')!;
    // Held by api-1, as the balancer could have placed it.
    const first = await subscribe(
      'graphql-ws',
      `http://127.0.0.1:${api1.port}/graphql`,
      DEVICE_CHANGES,
      { t: tenantId },
    );
    let n = 0;
    // A client's keep-alive connection through the balancer may have been to api-1: like any
    // HTTP client it retries a request whose connection was cut (the same tags again change
    // nothing).
    const change = async (d: string) => {
      const tags = [`t-${n++}`];
      for (let attempt = 1; ; attempt++) {
        try {
          return await setTags(cluster.apiUrl, tenantId, d, tags);
        } catch (error) {
          if (attempt >= 3 || !String((error as Error).cause ?? error).includes('closed'))
            throw error;
        }
      }
    };
    await eventually(async () => {
      await change('s-1');
      return eventsOf(first).length > 0 ? true : undefined;
    }, 30_000);
    for (let i = 0; i < 3; i++) await change(i % 2 ? 's-1' : 's-2');
    await pause(1_000);
    cluster.kill('api-1');
    const seen = [...eventsOf(first)];
    await first.close().catch(() => {});
    // Changes go on through the balancer (now api-2 alone) while the client is away.
    for (let i = 0; i < 4; i++) await change(i % 2 ? 's-1' : 's-2');
    const cursor = seen.at(-1).cursor as string;
    const resumed = await subscribe('graphql-ws', cluster.apiUrl, DEVICE_CHANGES, {
      t: tenantId,
      a: cursor,
    });
    const last = await change('s-2');
    await eventually(
      async () =>
        eventsOf(resumed).some((e) => e.device.deviceId === 's-2' && e.version === last)
          ? true
          : undefined,
      30_000,
    );
    await resumed.close();
    // What the client got, before and after, is exactly the tenant's change log after the
    // first event it saw: every change once, in order.
    const got = [...seen, ...eventsOf(resumed)].map((e) => e.cursor as string);
    const rows = await cluster.sql<{ cursor: string }[]>`
      select id::text as cursor from outbox
      where tenant_id = ${tenantId} and aggregate_type = 'device' and id >= ${seen[0].cursor}
        and id <= (select max(id) from outbox where tenant_id = ${tenantId})
      order by id`;
    expect(got).toEqual(rows.map((r) => r.cursor));
    expect(new Set(got).size).toBe(got.length);
  }, 180_000);

  it('a Temporal history process killed mid-traffic: the other takes its shards over and nothing acknowledged is lost', async () => {
    const tenantId = 'nodes-history';
    const fleetOf = await fleet(tenantId, 6);
    await eventually(
      async () => (fleetOf.every((d) => d.ackedCounter >= 3) ? true : undefined),
      30_000,
    );
    const killed = cluster.kill('temporal-history-1');
    const acked = fleetOf.map((d) => d.ackedCounter);
    // Reports go on being acknowledged with one history process: its shards moved.
    await eventually(
      async () => (fleetOf.every((d, i) => d.ackedCounter > acked[i]! + 5) ? true : undefined),
      100_000,
    );
    // Still the same dead process: the live history process took the shards, not a restart.
    expect(cluster.pidOf('temporal-history-1')).toBe(killed);
    expect(isAlive(killed)).toBe(false);
    for (const d of fleetOf) d.stop();
    await expectNothingAckedLost(tenantId, fleetOf);
  }, 240_000);
});

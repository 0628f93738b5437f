// `npm run faults [-- --rounds=50 --devices=24 --seed=1]`: a fault campaign on the cluster
// profile with several nodes of every role (issue 17, item 3). Under steady traffic from
// reconnecting devices, each round kills one process with SIGKILL — a gateway, a worker, an
// API, a Temporal service — or stops PostgreSQL with `pg_ctl stop -m immediate`; the profile
// starts what died again, as an orchestrator would. After each round the invariants are
// checked; RELIABILITY.md gets the figures. A bench, not a CI test: it takes half an hour.
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { findPostgresBinDir } from '../../deploy/embedded/postgres';
import {
  ReconnectingDevice,
  startClusterNodes,
  type RunningCluster,
} from '../../test/support/cluster-nodes';
import { graphql } from '../../test/support/graphql';
import { startWebhookReceiver } from '../../test/support/webhook-receiver';
import { machine } from '../report';

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const ROUNDS = arg('rounds', 50);
const DEVICES = arg('devices', 24);
const EVERY_MS = arg('every-ms', 1_000);
/** A report (a twin change, a webhook event) every this many ticks; telemetry on every tick. */
const REPORT_EVERY = arg('report-every', 10);
let seed = arg('seed', 1);
/** Deterministic choices for a given --seed (mulberry32), so a campaign can be run again. */
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const TENANT = 'faults';
const RESTART_AFTER_MS = 2_000;
const RECOVERY_LIMIT_MS = 180_000;
const FAULTS = [
  { kind: 'gateway', nodes: ['gateway-1', 'gateway-2'] },
  { kind: 'worker', nodes: ['worker-1', 'worker-2'] },
  { kind: 'api', nodes: ['api-1', 'api-2'] },
  { kind: 'temporal-history', nodes: ['temporal-history-1', 'temporal-history-2'] },
  { kind: 'temporal-matching', nodes: ['temporal-matching'] },
  { kind: 'temporal-frontend', nodes: ['temporal-frontend'] },
  { kind: 'temporal-worker', nodes: ['temporal-worker'] },
  { kind: 'postgres', nodes: ['postgres'] },
] as const;
type Kind = (typeof FAULTS)[number]['kind'];
/** --only=postgres,gateway: just those kinds of fault (to try one out). */
const onlyKinds = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const CHOSEN = FAULTS.filter((f) => !onlyKinds || onlyKinds.includes(f.kind));

interface Round {
  round: number;
  kind: Kind;
  node: string;
  /** Kill → every device acknowledged again, a command round trip and an API read work. */
  recoveryMs: number | null;
  lostSamples: number;
  duplicateCommands: number;
  twinsConverged: boolean;
  webhookOutOfOrder: number;
}

const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(probe: () => Promise<boolean>, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return true;
    await pause(250);
  }
  return false;
}

const SEND = `mutation ($i: SendCommandInput!) { sendCommand(input: $i) { commandId } }`;

/** Sends `name` to the device through the API (retried while the API or Temporal recovers). */
async function command(cluster: RunningCluster, device: ReconnectingDevice, name: string) {
  return until(async () => {
    const res = await graphql(cluster.apiUrl, SEND, {
      i: { tenantId: TENANT, deviceId: device.deviceId, name, params: {} },
    });
    return !res.errors && !!res.data?.sendCommand?.commandId;
  }, RECOVERY_LIMIT_MS);
}

/** The PostgreSQL fault: an immediate stop (no checkpoint, as a crash), as its owner. */
async function stopPostgresImmediately(cluster: RunningCluster) {
  const dataDir = path.join(cluster.dataDir, 'postgres');
  const pgCtl = path.join(findPostgresBinDir(), 'pg_ctl');
  const owner = statSync(dataDir);
  await promisify(execFile)(pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w'], {
    ...(process.getuid?.() === 0 ? { uid: owner.uid, gid: owner.gid, cwd: '/' } : {}),
  });
}

function postmasterPid(cluster: RunningCluster): number {
  try {
    return Number(
      readFileSync(path.join(cluster.dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
  } catch {
    return 0;
  }
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function main() {
  const t0 = Date.now();
  log(`starting the cluster profile: 2 gateways, 2 workers, 2 APIs, 2 history processes`);
  const cluster = await startClusterNodes({
    CLUSTER_RESTART_AFTER_MS: String(RESTART_AFTER_MS),
    EGRESS_ALLOWED_NETWORKS: '127.0.0.0/8',
    TEMPORAL_HISTORY_SHARDS: '16',
  });
  const receiver = await startWebhookReceiver();
  const devices: ReconnectingDevice[] = [];
  const rounds: Round[] = [];
  try {
    const hook = await graphql(
      cluster.apiUrl,
      `
        mutation ($i: RegisterWebhookInput!) {
          registerWebhook(input: $i) {
            webhook {
              id
            }
          }
        }
      `,
      { i: { tenantId: TENANT, id: 'campaign', url: receiver.url, maxAttempts: 50 } },
    );
    if (hook.errors) throw new Error(`registerWebhook: ${JSON.stringify(hook.errors)}`);
    for (let i = 0; i < DEVICES; i++) {
      const res = await graphql(
        cluster.apiUrl,
        `
          mutation ($i: RegisterDeviceInput!) {
            registerDevice(input: $i) {
              token
            }
          }
        `,
        { i: { tenantId: TENANT, deviceId: `dev-${i}` } },
      );
      if (res.errors) throw new Error(`registerDevice: ${JSON.stringify(res.errors)}`);
      const device = new ReconnectingDevice(
        cluster.gatewayUrl,
        TENANT,
        `dev-${i}`,
        res.data.registerDevice.token,
      );
      devices.push(device);
      await device.start(EVERY_MS, REPORT_EVERY);
    }
    log(`${DEVICES} devices connected, each reporting and sending telemetry every ${EVERY_MS} ms`);
    await pause(5_000);

    for (let round = 1; round <= ROUNDS; round++) {
      const fault = pick(CHOSEN);
      const node = pick(fault.nodes);
      const before = fault.kind === 'postgres' ? postmasterPid(cluster) : cluster.pidOf(node);
      const killedAt = Date.now();
      if (fault.kind === 'postgres') await stopPostgresImmediately(cluster);
      else cluster.kill(node);
      // Recovered: every device acknowledged again, a command reaches a device, the API reads.
      const probe = pick(devices);
      const name = `probe-${round}`;
      const sent = await command(cluster, probe, name);
      const recovered =
        sent &&
        (await until(async () => {
          if (!devices.every((d) => d.lastAckAt > killedAt)) return false;
          if (!probe.commands.some((c) => c.name === name)) return false;
          const read = await graphql(
            cluster.apiUrl,
            `
              query ($t: ID!) {
                devices(tenantId: $t, first: 1) {
                  totalCount
                }
              }
            `,
            { t: TENANT },
          );
          return !read.errors;
        }, RECOVERY_LIMIT_MS));
      const recoveryMs = recovered ? Date.now() - killedAt : null;
      // The killed process is back (started again by the profile) before the next round.
      await until(
        async () =>
          (fault.kind === 'postgres' ? postmasterPid(cluster) : cluster.pidOf(node)) !== before,
        60_000,
      );
      await pause(RESTART_AFTER_MS + 3_000);
      const checked = await invariants(cluster, devices, receiver.accepted());
      const duplicateCommands = devices.reduce(
        (n, d) =>
          n +
          Object.values(
            d.commands.reduce<Record<string, number>>(
              (acc, c) => ((acc[c.name] = (acc[c.name] ?? 0) + 1), acc),
              {},
            ),
          ).filter((count) => count > 1).length,
        0,
      );
      const row: Round = {
        round,
        kind: fault.kind,
        node,
        recoveryMs,
        duplicateCommands,
        ...checked,
      };
      rounds.push(row);
      log(
        `round ${round}/${ROUNDS}: ${node} ${fault.kind === 'postgres' ? 'stopped (immediate)' : 'killed'}; recovered in ${recoveryMs === null ? 'NOT RECOVERED' : `${(recoveryMs / 1000).toFixed(1)} s`}; lost ${row.lostSamples}, duplicate commands ${duplicateCommands}, twins ${row.twinsConverged ? 'converged' : 'NOT converged'}, webhooks out of order ${row.webhookOutOfOrder}`,
      );
    }

    // The end: traffic stops, every webhook event is delivered, in order, none missing.
    for (const d of devices) d.stop();
    const final = await webhookCompleteness(cluster, () => receiver.accepted());
    const final2 = await invariants(cluster, devices, receiver.accepted());
    writeReport(rounds, devices, final, final2, Date.now() - t0);
  } finally {
    for (const d of devices) d.stop();
    await receiver.stop();
    log(`stopping the cluster: exit ${await cluster.stop()}`);
  }
}

/** Acknowledged samples missing, twins behind what was acknowledged, webhook order. */
async function invariants(
  cluster: RunningCluster,
  devices: ReconnectingDevice[],
  accepted: ReadonlyArray<Record<string, unknown>>,
) {
  let lostSamples = 0;
  for (const device of devices) {
    const rows = await cluster.sql<{ at: Date }[]>`
      select at from telemetry where tenant_id = ${TENANT} and device_id = ${device.deviceId}`;
    const stored = new Set(rows.map((r) => r.at.toISOString()));
    lostSamples += device.ackedSamples.filter((at) => !stored.has(at)).length;
  }
  const twinsConverged = await until(async () => {
    const rows = await cluster.sql<{ device_id: string; counter: number | null }[]>`
      select device_id, (reported->>'counter')::int as counter
      from device_twins where tenant_id = ${TENANT}`;
    const counter = new Map(rows.map((r) => [r.device_id, r.counter ?? 0]));
    return devices.every((d) => (counter.get(d.deviceId) ?? 0) >= d.ackedCounter);
  }, 120_000);
  return { lostSamples, twinsConverged, webhookOutOfOrder: outOfOrder(accepted) };
}

/** Events whose first delivery came after a later event's first delivery. */
function outOfOrder(accepted: ReadonlyArray<Record<string, unknown>>): number {
  const seen = new Set<number>();
  let highest = 0;
  let late = 0;
  for (const event of accepted) {
    const cursor = Number(event.doppelcursor);
    if (seen.has(cursor)) continue;
    seen.add(cursor);
    if (cursor < highest) late++;
    highest = Math.max(highest, cursor);
  }
  return late;
}

async function webhookCompleteness(
  cluster: RunningCluster,
  acceptedNow: () => ReadonlyArray<Record<string, unknown>>,
) {
  const outbox = async () =>
    (
      await cluster.sql<{ id: string }[]>`
        select id::text as id from outbox where tenant_id = ${TENANT} order by id`
    ).map((r) => Number(r.id));
  const delivered = () => new Set(acceptedNow().map((e) => Number(e.doppelcursor)));
  await until(async () => {
    const ids = await outbox();
    const got = delivered();
    return ids.every((id) => got.has(id));
  }, 300_000);
  const ids = await outbox();
  const got = delivered();
  const accepted = acceptedNow();
  return {
    events: ids.length,
    missing: ids.filter((id) => !got.has(id)).length,
    deliveries: accepted.length,
    redelivered: accepted.length - got.size,
  };
}

function writeReport(
  rounds: Round[],
  devices: ReconnectingDevice[],
  webhooks: { events: number; missing: number; deliveries: number; redelivered: number },
  final: { lostSamples: number; twinsConverged: boolean; webhookOutOfOrder: number },
  wallMs: number,
) {
  const kinds = FAULTS.map((f) => f.kind);
  const rows = kinds.map((kind) => {
    const of = rounds.filter((r) => r.kind === kind);
    const times = of.flatMap((r) => (r.recoveryMs === null ? [] : [r.recoveryMs / 1000]));
    const fmt = (v: number | null) => (v === null ? '–' : v.toFixed(1));
    return `| ${kind} | ${of.length} | ${fmt(percentile(times, 50))} | ${fmt(times.length ? Math.max(...times) : null)} | ${of.filter((r) => r.recoveryMs === null).length} |`;
  });
  const acked = devices.reduce((n, d) => n + d.acks, 0);
  const samples = devices.reduce((n, d) => n + d.ackedSamples.length, 0);
  const duplicates = Math.max(0, ...rounds.map((r) => r.duplicateCommands));
  const text = `# Reliability

A fault campaign on the cluster profile (\`npm run start:cluster\` with 2 gateways and 2 APIs
behind HAProxy, 2 workers, the Temporal server v1.32 with its services as separate processes
and 2 history processes, 16 history shards, PostgreSQL with fsync on), produced by

    npm run faults -- --rounds=${ROUNDS} --devices=${DEVICES} --every-ms=${EVERY_MS} --report-every=${REPORT_EVERY}${onlyKinds ? ` --only=${onlyKinds.join(',')}` : ''}

Machine: ${machine()}. Run on ${new Date().toISOString().slice(0, 10)}, ${(wallMs / 60_000).toFixed(0)} minutes.

**Load.** ${DEVICES} devices on the native JSON protocol, each sending a telemetry sample every
${EVERY_MS} ms and a report (reported state \`counter\`, a twin change and a webhook event) every
${REPORT_EVERY} samples through the balancer, reconnecting
whenever their connection drops (200–500 ms back-off). A webhook receives every change of the
tenant. Each round sends one command to a random device.

**Each round** kills one process, chosen at random (\`--seed\`), with SIGKILL — or stops
PostgreSQL with \`pg_ctl stop -m immediate\` — and the profile starts it again after
${RESTART_AFTER_MS / 1000} s (as an orchestrator restarts a pod). *Recovery* is the time from the
fault until every device has had a message acknowledged again, the round's command has reached
its device and the API answers a read. After each round the invariants are checked.

## Faults and recovery

| fault | rounds | recovery p50 s | recovery max s | not recovered in ${RECOVERY_LIMIT_MS / 1000} s |
|---|---|---|---|---|
${rows.join('\n')}

## Invariants

| invariant | result |
|---|---|
| messages acknowledged to devices | ${acked} (${samples} of them telemetry samples) |
| **acknowledged telemetry samples missing from PostgreSQL** | **${final.lostSamples}** |
| acknowledged reports missing from their twins (twin behind the last acked report, after 120 s) | ${final.twinsConverged ? 0 : 'some'} (rounds where twins had not converged within 120 s: ${rounds.filter((r) => !r.twinsConverged).length}) |
| commands delivered more than once (every command message a device received is logged) | ${duplicates} |
| webhook events of the tenant / delivered / missing at the end | ${webhooks.events} / ${webhooks.events - webhooks.missing} / ${webhooks.missing} |
| webhook events whose first delivery came after a later event's | ${final.webhookOutOfOrder} |
| webhook redeliveries (at-least-once: a delivery whose answer was lost is sent again) | ${webhooks.redelivered} |

## Rounds

| round | fault | process | recovery s | lost | duplicate commands | twins converged |
|---|---|---|---|---|---|---|
${rounds.map((r) => `| ${r.round} | ${r.kind} | ${r.node} | ${r.recoveryMs === null ? 'not recovered' : (r.recoveryMs / 1000).toFixed(1)} | ${r.lostSamples} | ${r.duplicateCommands} | ${r.twinsConverged ? 'yes' : 'no'} |`).join('\n')}
`;
  writeFileSync('RELIABILITY.md', text);
  log('wrote RELIABILITY.md');
}

await main();

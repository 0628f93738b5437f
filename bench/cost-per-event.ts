/**
 * Issue 18, "Measure" item 1: what one device event costs — Temporal history events, workflow
 * tasks and Temporal Cloud billable actions, PostgreSQL transactions and WAL bytes, gateway
 * and worker CPU — for each kind of event, for the previous design (commit 545642f) and this
 * tree, side by side in the same run, and the Temporal Cloud cost per device-month it implies.
 *
 * Each design gets its own backends (the profile's Temporal and a private PostgreSQL with
 * fsync on) and its own roles started from its checkout (bench/cost/roles.ts); the harness
 * talks to them only as a device, an operator (GraphQL), Temporal's client and PostgreSQL's
 * statistics do, so it measures whatever tree it is given.
 */
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { startScratchCluster } from '../deploy/cluster/scratch-cluster';
import { freePort } from '../deploy/embedded/child-process';
import { startInfrastructure, type Infrastructure } from '../deploy/embedded/infrastructure';
import { graphql } from '../test/support/graphql';
import { CostDevice, inBatches } from './cost/devices';
import { processCpuUs } from './loadgen/proc-cpu';
import {
  previousTree,
  startDesignRoles,
  thisTree,
  type DesignRoles,
  type DesignTree,
} from './cost/roles';
import { addTally, HistoryCounter, type TemporalTally } from './cost/temporal-actions';
import {
  backendsOf,
  benchCommand,
  benchHistoryShards,
  figuresLine,
  machine,
  type BenchOptions,
  type BenchProfile,
} from './report';

/** The kinds of event measured, in table order. */
export const EVENT_KINDS = [
  { key: 'report', label: 'plain report' },
  { key: 'lifecycle', label: 'lifecycle-relevant change (new firmware)' },
  { key: 'connect', label: 'connect' },
  { key: 'disconnect', label: 'disconnect' },
  { key: 'telemetry', label: 'telemetry sample' },
  { key: 'rollout', label: 'rollout device' },
  { key: 'provisioning', label: 'provisioning row' },
] as const;
export type EventKind = (typeof EVENT_KINDS)[number]['key'];

/** How many events of each kind (devices, rollout devices, provisioning rows). */
export interface CostSizes {
  devices: number;
  rolloutDevices: number;
  provisioningRows: number;
  /** How long the idle background is measured before the phases. */
  baselineMs: number;
}
export const COST_SIZES = {
  full: { devices: 500, rolloutDevices: 50, provisioningRows: 200, baselineMs: 30_000 },
  quick: { devices: 100, rolloutDevices: 20, provisioningRows: 50, baselineMs: 20_000 },
} as const satisfies Record<string, CostSizes>;

/**
 * PostgreSQL's statistics of a backend that went idle reach pg_stat_database within 10 s
 * (PGSTAT_IDLE_INTERVAL): every phase waits that long after its work before it is read.
 */
const STATS_FLUSH_MS = 11_000;

/** Per event, for one design. */
export interface EventCost {
  kind: EventKind;
  design: DesignTree['label'];
  events: number;
  historyEvents: number;
  stateTransitions: number;
  workflowTasks: number;
  actions: number;
  actionsByKind: Record<string, number>;
  pgTransactions: number;
  walBytes: number;
  gatewayCpuUs: number;
  workerCpuMs: number;
}

export interface DesignResult {
  tree: DesignTree;
  costs: EventCost[];
  /** The idle background subtracted, per second. */
  background: {
    pgTransactions: number;
    walBytes: number;
    gatewayCpuUs: number;
    workerCpuUs: number;
  };
}

interface Snapshot {
  at: number;
  temporal: TemporalTally;
  xacts: number;
  wal: number;
  gatewayCpuUs: number;
  workerCpuUs: number;
}

/** The profile's backends with PostgreSQL's fsync on (the dev profile's own, not the tests'). */
async function startBackends(
  profile: BenchProfile,
  log: (line: string) => void,
): Promise<Infrastructure> {
  if (profile === 'cluster')
    return startScratchCluster({ historyShards: benchHistoryShards(), log });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'doppel-cost-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root
  for (let attempt = 1; ; attempt++) {
    try {
      const infra = await startInfrastructure({
        dataDir,
        namespace: 'default',
        temporalPort: await freePort(),
        postgresPort: await freePort(),
        ephemeral: false,
        log,
      });
      return {
        ...infra,
        async stop() {
          await infra.stop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      // A port taken meanwhile (see startScratchInfrastructure): new ports.
      if (attempt >= 3) {
        rmSync(dataDir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

/** The database a design's roles migrate and use: fresh, apart from the profile's own. */
const COST_DATABASE = 'doppel_cost';

const registerMutation = `mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }`;

/** Measures every kind of event against one design's roles. */
async function measureDesign(
  tree: DesignTree,
  profile: BenchProfile,
  sizes: CostSizes,
  progress: (line: string) => void,
): Promise<DesignResult> {
  const say = (line: string) => progress(`  ${tree.label} (${tree.commit}): ${line}`);
  const infra = await startBackends(profile, say);
  const admin = postgres(infra.databaseUrl, { max: 1, onnotice: () => {} });
  let roles: DesignRoles | null = null;
  let connection: Connection | null = null;
  let sql: postgres.Sql | null = null;
  try {
    await admin.unsafe(`CREATE DATABASE ${COST_DATABASE}`);
    const url = new URL(infra.databaseUrl);
    url.pathname = `/${COST_DATABASE}`;
    const backends = { temporalAddress: infra.temporalAddress, databaseUrl: url.toString() };
    say('starting worker, gateway and API from its checkout');
    roles = await startDesignRoles(tree, backends);
    const running = roles;
    connection = await Connection.connect({ address: infra.temporalAddress });
    const temporal = new Client({ connection, namespace: 'default' });
    sql = postgres(backends.databaseUrl, { max: 1, onnotice: () => {} });
    const db = sql;
    const histories = new HistoryCounter(temporal, 'cost-');
    /** Statements the harness ran in Doppel's database (each one transaction), not Doppel's. */
    let probes = 0;
    const count = async (query: postgres.PendingQuery<postgres.Row[]>): Promise<number> => {
      probes++;
      const [row] = await query;
      return Number(row?.n ?? 0);
    };
    const snapshot = async (temporalTally?: TemporalTally): Promise<Snapshot> => {
      const [row] = await admin<{ xacts: string; wal: string }[]>`
        select (select xact_commit from pg_stat_database where datname = ${COST_DATABASE})::text as xacts,
               pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text as wal`;
      return {
        at: Date.now(),
        temporal: temporalTally ?? (await histories.snapshot()),
        xacts: Number(row!.xacts) - probes,
        wal: Number(row!.wal),
        gatewayCpuUs: processCpuUs(running.gateway.pid),
        workerCpuUs: processCpuUs(running.worker.pid),
      };
    };
    /** Until Temporal's work has settled and PostgreSQL's statistics are in. */
    const quiet = async () => {
      const t0 = Date.now();
      const tally = await histories.settled();
      const left = STATS_FLUSH_MS - (Date.now() - t0);
      if (left > 0) await new Promise((r) => setTimeout(r, left));
      return snapshot(tally);
    };
    const until = async (what: string, done: () => Promise<boolean>, timeoutMs = 300_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await done())) {
        if (Date.now() > deadline)
          throw new Error(`${tree.label}: ${what} not within ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const register = async (tenantId: string, ids: string[]) => {
      const tokens = new Map<string, string>();
      await inBatches(ids, 8, async (deviceId) => {
        const res = await graphql(running.api.url, registerMutation, { i: { tenantId, deviceId } });
        if (res.errors) throw new Error(`registerDevice: ${JSON.stringify(res.errors)}`);
        tokens.set(deviceId, res.data.registerDevice.token as string);
      });
      return tokens;
    };
    const twinsWhere = (tenantId: string, condition: postgres.PendingQuery<postgres.Row[]>) =>
      count(
        db`select count(*)::int as n from device_twins where tenant_id = ${tenantId} and ${condition}`,
      );

    // Setup: N registered devices, activated by a first connection, then offline.
    const fleetTenant = 'cost-fleet';
    const ids = Array.from({ length: sizes.devices }, (_, i) => `d-${String(i).padStart(5, '0')}`);
    say(`registering ${ids.length} devices`);
    const tokens = await register(fleetTenant, ids);
    const fleet = ids.map(
      (id) => new CostDevice(running.gateway.url, fleetTenant, id, tokens.get(id)!, '1.0'),
    );
    const all = (work: (d: CostDevice) => Promise<void>) => inBatches(fleet, 50, work);
    const n = fleet.length;
    say('first connections (activation)');
    await all((d) => d.connect());
    await until(
      'activation',
      async () =>
        (await twinsWhere(fleetTenant, db`lifecycle = 'active' and connectivity = 'online'`)) >= n,
    );
    await all((d) => d.close());
    await until(
      'offline',
      async () => (await twinsWhere(fleetTenant, db`connectivity = 'offline'`)) >= n,
    );

    // The idle background (watchdog, outbox and ledger loops), subtracted from every phase.
    const b0 = await quiet();
    say(`measuring the idle background for ${sizes.baselineMs / 1000} s`);
    await new Promise((r) => setTimeout(r, sizes.baselineMs));
    const b1 = await quiet();
    const seconds = (b1.at - b0.at) / 1000;
    const background = {
      pgTransactions: (b1.xacts - b0.xacts) / seconds,
      walBytes: (b1.wal - b0.wal) / seconds,
      gatewayCpuUs: (b1.gatewayCpuUs - b0.gatewayCpuUs) / seconds,
      workerCpuUs: (b1.workerCpuUs - b0.workerCpuUs) / seconds,
    };

    const costs: EventCost[] = [];
    let last = b1;
    /** One measured phase: `drive` the events, wait until `done`, settle, read the deltas. */
    const phase = async (
      kind: EventKind,
      events: number,
      drive: () => Promise<void>,
      done: () => Promise<boolean>,
    ) => {
      say(`${kind}: ${events} events`);
      const before = last;
      await drive();
      await until(kind, done);
      const after = await quiet();
      last = after;
      const s = (after.at - before.at) / 1000;
      const t = addTally(after.temporal, before.temporal, -1);
      costs.push({
        kind,
        design: tree.label,
        events,
        historyEvents: t.historyEvents / events,
        stateTransitions: t.stateTransitions / events,
        workflowTasks: t.workflowTasks / events,
        actions: t.actions / events,
        actionsByKind: Object.fromEntries(
          Object.entries(t.actionsByKind)
            .filter(([, v]) => v !== 0)
            .map(([k, v]) => [k, v / events]),
        ),
        pgTransactions: (after.xacts - before.xacts - background.pgTransactions * s) / events,
        walBytes: (after.wal - before.wal - background.walBytes * s) / events,
        gatewayCpuUs:
          (after.gatewayCpuUs - before.gatewayCpuUs - background.gatewayCpuUs * s) / events,
        workerCpuMs:
          (after.workerCpuUs - before.workerCpuUs - background.workerCpuUs * s) / events / 1000,
      });
    };
    /** Setup between phases, outside any measurement. */
    const between = async (work: () => Promise<void>) => {
      await work();
      last = await quiet();
    };

    await phase(
      'connect',
      n,
      () => all((d) => d.connect()),
      async () => (await twinsWhere(fleetTenant, db`connectivity = 'online'`)) >= n,
    );
    await phase(
      'report',
      n,
      () => all((d) => d.report({ counter: 1 })),
      async () => (await twinsWhere(fleetTenant, db`reported->>'counter' = '1'`)) >= n,
    );
    await phase(
      'telemetry',
      n,
      () => all((d) => d.telemetry({ power: 2300 })),
      async () => true, // acknowledged = committed
    );
    await phase(
      'disconnect',
      n,
      () => all((d) => d.close()),
      async () => (await twinsWhere(fleetTenant, db`connectivity = 'offline'`)) >= n,
    );
    await phase(
      'lifecycle',
      n,
      () =>
        all(async (d) => {
          d.firmware = '1.1';
          await d.connect();
        }),
      async () => (await twinsWhere(fleetTenant, db`firmware = '1.1'`)) >= n,
    );
    await between(() => all((d) => d.close()));

    // A rollout over devices that take the update, reboot and come back on the new version.
    const rolloutTenant = 'cost-rollout';
    const rolloutIds = Array.from({ length: sizes.rolloutDevices }, (_, i) => `r-${i}`);
    const rolloutTokens = await register(rolloutTenant, rolloutIds);
    const rolloutFleet = rolloutIds.map(
      (id) =>
        new CostDevice(running.gateway.url, rolloutTenant, id, rolloutTokens.get(id)!, '1.0', 500),
    );
    await between(async () => {
      await inBatches(rolloutFleet, 50, (d) => d.connect());
      await until(
        'rollout devices active',
        async () =>
          (await twinsWhere(rolloutTenant, db`lifecycle = 'active' and connectivity = 'online'`)) >=
          rolloutIds.length,
      );
    });
    const rolloutConfig = {
      id: 'fw-2',
      firmware: { version: '2.0', url: 'https://firmware.example.com/2.0.bin' },
      canary: { devices: 2 },
      waves: { mode: 'exponential', base: 10, factor: 2, maximum: 500 },
      maxConcurrency: 100,
      perDevice: { timeoutS: 300, retries: 1 },
      abort: { failurePercent: 50, minExecuted: 1000 },
    };
    await phase(
      'rollout',
      rolloutIds.length,
      async () => {
        const res = await graphql(
          running.api.url,
          `
            mutation ($t: ID!, $c: JSONObject) {
              startRollout(tenantId: $t, config: $c) {
                workflowId
              }
            }
          `,
          { t: rolloutTenant, c: rolloutConfig },
        );
        if (res.errors) throw new Error(`startRollout: ${JSON.stringify(res.errors)}`);
      },
      async () => {
        probes++;
        const [row] = await db<{ status: string }[]>`
          select status from rollouts where tenant_id = ${rolloutTenant} and rollout_id = 'fw-2'`;
        if (
          row &&
          row.status !== 'completed' &&
          row.status !== 'running' &&
          row.status !== 'waiting'
        )
          throw new Error(`${tree.label}: the rollout ended ${row.status}`);
        return row?.status === 'completed';
      },
    );
    await between(() => inBatches(rolloutFleet, 50, (d) => d.close()));

    // One bulk provisioning file of M rows, until every row's device has its record.
    const provisioningTenant = 'cost-provisioning';
    const rows = sizes.provisioningRows;
    await phase(
      'provisioning',
      rows,
      async () => {
        const csv = [
          'serial,method',
          ...Array.from({ length: rows }, (_, i) => `SN-${i},credentials`),
        ].join('\n');
        const res = await graphql(
          running.api.url,
          `
            mutation ($i: ProvisionDevicesInput!) {
              provisionDevices(input: $i) {
                bulkId
              }
            }
          `,
          { i: { tenantId: provisioningTenant, format: 'CSV', content: csv } },
        );
        if (res.errors) throw new Error(`provisionDevices: ${JSON.stringify(res.errors)}`);
      },
      async () => {
        probes++;
        const [bulk] = await db<{ status: string }[]>`
          select status from bulk_provisionings where tenant_id = ${provisioningTenant}`;
        return (
          bulk?.status === 'submitted' && (await twinsWhere(provisioningTenant, db`true`)) >= rows
        );
      },
    );
    return { tree, costs, background };
  } finally {
    await roles?.stop().catch(() => {});
    await connection?.close().catch(() => {});
    await sql?.end().catch(() => {});
    await admin.end().catch(() => {});
    await infra.stop();
  }
}

/** Reports, telemetry samples, connects and disconnects of one device in a 30-day month. */
export const DEVICE_MONTH = {
  report: 30 * 24 * 60, // every 60 s
  telemetry: 30 * 24 * 60, // every 60 s
  connect: 30, // once a day
  disconnect: 30,
} as const;
/** Temporal Cloud's list price per million actions, low and high end. */
export const ACTION_PRICES = [25, 50] as const;

/** Temporal Cloud actions one device causes in a month (the DEVICE_MONTH mix). */
export function actionsPerDeviceMonth(costs: readonly EventCost[]): number {
  return Object.entries(DEVICE_MONTH).reduce(
    (sum, [kind, times]) => sum + times * (costs.find((c) => c.kind === kind)?.actions ?? 0),
    0,
  );
}

export interface CostBenchOptions extends BenchOptions {
  /** The trees to measure (default: the previous design's and this one). */
  trees?: DesignTree[];
  sizes?: CostSizes;
}

/** Measures each tree in turn and writes the section. */
export async function costPerEventBench(opts: CostBenchOptions): Promise<string> {
  const profile = opts.profile ?? 'dev';
  const sizes = opts.sizes ?? (opts.quick ? COST_SIZES.quick : COST_SIZES.full);
  const trees = opts.trees ?? [previousTree(), thisTree()];
  const results: DesignResult[] = [];
  for (const tree of trees) results.push(await measureDesign(tree, profile, sizes, opts.progress));
  return costSection(results, sizes, opts.quick, profile);
}

const fixed = (x: number, digits: number) =>
  x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const money = (x: number) => `$${x < 0.1 ? x.toFixed(4) : x.toFixed(2)}`;

/** The targets of docs/architecture.md, shown beside the figures. */
function target(kind: EventKind): string {
  switch (kind) {
    case 'report':
    case 'connect':
    case 'disconnect':
    case 'telemetry':
      return '0 actions';
    case 'lifecycle':
      return '≤ 3 state transitions, 1 signal + 1 task';
    case 'rollout':
      return 'a share of one activity per node per batch';
    case 'provisioning':
      return '0 actions';
  }
}

export function costSection(
  results: readonly DesignResult[],
  sizes: CostSizes,
  quick: boolean,
  profile: BenchProfile,
): string {
  const rows: string[] = [];
  for (const { key, label } of EVENT_KINDS) {
    for (const r of results) {
      const c = r.costs.find((x) => x.kind === key);
      if (!c) continue;
      const made = Object.entries(c.actionsByKind)
        .map(([k, v]) => `${k} ${fixed(v, 2)}`)
        .join(', ');
      rows.push(
        `| ${label} | ${r.tree.label} (${r.tree.commit}) | ${fixed(c.historyEvents, 2)} | ${fixed(c.stateTransitions, 2)} | ${fixed(c.workflowTasks, 2)} | ${fixed(c.actions, 2)}${made ? ` (${made})` : ''} | ${fixed(c.pgTransactions, 2)} | ${fixed(c.walBytes, 0)} | ${fixed(c.gatewayCpuUs, 0)} | ${fixed(c.workerCpuMs, 2)} | ${target(key)} |`,
      );
    }
  }
  const monthRows = results.map((r) => {
    const actions = actionsPerDeviceMonth(r.costs);
    const prices = ACTION_PRICES.map((p) => money((actions * p) / 1e6)).join(' | ');
    return `| ${r.tree.label} (${r.tree.commit}) | ${fixed(actions, 0)} | ${prices} | ≤ $0.05 |`;
  });
  const thisDesign = results.find((r) => r.tree.label === 'this') ?? results.at(-1)!;
  const costOf = (kind: EventKind) => thisDesign.costs.find((c) => c.kind === kind);
  const background = results
    .map(
      (r) =>
        `${r.tree.label}: ${fixed(r.background.pgTransactions, 1)} transactions/s, ${fixed(r.background.walBytes / 1024, 1)} KiB WAL/s, gateway ${fixed(r.background.gatewayCpuUs / 1000, 1)} ms CPU/s, worker ${fixed(r.background.workerCpuUs / 1000, 1)} ms CPU/s`,
    )
    .join('; ');
  return `## Cost per device event

Command: \`${benchCommand(quick, profile)} --only=cost\`. Machine: ${machine()}. One run per
design. Backends, fresh for each design: ${profile === 'dev' ? 'a scratch Temporal dev server (the Temporal CLI, SQLite on disk) and a private PostgreSQL with fsync on' : backendsOf(profile)}. Each design's worker, gateway and API run as processes of their
own from that design's checkout (*previous* = the commit before issue 18, *this* = the tree
that ran the bench); the worker migrates a fresh database with its own migrations.
${sizes.devices} registered native JSON devices (real WebSockets), activated and offline
before the phases, then in turn: all connect (firmware 1.0); each sends one report (a field
no profile declares); each sends one telemetry sample; all disconnect (1 s offline grace); all
reconnect announcing firmware 1.1 (the *lifecycle-relevant change*: a connect that changes
the firmware, so its PostgreSQL and CPU columns include a connect's). Then a firmware rollout
over ${sizes.rolloutDevices} devices that accept, reboot after 0.5 s and come back on the new
version (canary 2, waves of 10 × 2), until the rollout is completed; then one bulk
provisioning file of ${sizes.provisioningRows} rows, until every row's device has its record.
Every report and sample waits for its ack; each phase waits until the records show its
events, until the Temporal histories stop growing, and 11 s more for PostgreSQL's statistics.

Figures are per event: *history events* and *workflow tasks* (WorkflowTaskCompleted) over
every run of the workflows of the benchmark's tenants; *state transitions* = the server's own
count of updates to each run's mutable state (\`stateTransitionCount\` of
\`DescribeWorkflowExecution\`, summed over the same runs: what Temporal's persistence pays, and
what the per-shard throughput of docs/scaling.md is counted in); *actions* = Temporal Cloud billable
actions counted from those histories by the rules of Temporal's
[Actions page](https://docs.temporal.io/cloud/actions) — a workflow start (client,
continue-as-new), a signal, one for a signal-with-start, two for a child workflow, an accepted
update, every activity attempt, all local activities of one workflow task together as one, a
timer, a search attribute upsert (queries, heartbeats and rejected updates leave no history
and are not counted; the harness sends none); *PG xacts* = \`pg_stat_database.xact_commit\`
of Doppel's database, the harness's own probes taken out; *WAL bytes* =
\`pg_wal_lsn_diff\` of \`pg_current_wal_lsn()\`${profile === 'cluster' ? " (the whole PostgreSQL server: on this profile Temporal's persistence writes to it too)" : ''};
CPU from \`/proc/<pid>/stat\` of the gateway and worker processes. PostgreSQL and CPU figures
have the idle background taken out, measured for ${sizes.baselineMs / 1000} s before the
phases (${background}).

| event | design | history events | state transitions | workflow tasks | actions | PG xacts | WAL bytes | gateway CPU µs | worker CPU ms | target (this design) |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

**Temporal Cloud cost per device-month** for a device that reports every 60 s and sends a
telemetry sample every 60 s (${DEVICE_MONTH.report.toLocaleString('en')} of each in 30 days) and
connects and disconnects once a day, at the list price of $25 and $50 per million actions:

| design | actions per device-month | at $25 / M | at $50 / M | target |
|---|---|---|---|---|
${monthRows.join('\n')}
${figuresLine({
  section: 'cost',
  profile,
  quick,
  figures: [
    ...(['report', 'connect', 'disconnect', 'lifecycle'] as const).flatMap((kind) => {
      const c = costOf(kind);
      return c
        ? [
            {
              key: `actions-per-${kind}`,
              label: `Temporal actions per ${EVENT_KINDS.find((k) => k.key === kind)!.label}`,
              value: Number(c.actions.toFixed(2)),
              better: 'lower' as const,
            },
          ]
        : [];
    }),
    ...(costOf('lifecycle')
      ? [
          {
            key: 'history-events-per-lifecycle',
            label: 'history events per lifecycle-relevant change',
            value: Number(costOf('lifecycle')!.historyEvents.toFixed(2)),
            better: 'lower' as const,
          },
          {
            key: 'state-transitions-per-lifecycle',
            label: 'state transitions per lifecycle-relevant change',
            value: Number(costOf('lifecycle')!.stateTransitions.toFixed(2)),
            better: 'lower' as const,
          },
        ]
      : []),
    {
      key: 'usd-per-device-month-at-50',
      label: 'Temporal Cloud $ per device-month at $50 per million actions',
      value: Number(((actionsPerDeviceMonth(thisDesign.costs) * 50) / 1e6).toFixed(4)),
      better: 'lower' as const,
    },
  ],
})}`;
}

import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { freePort } from '../../deploy/embedded/child-process';
import { gatewayConfig } from '../../deploy/config';
import type { Database } from '../../db/client';
import { startGatewayProcess } from '../../test/support/gateway-process';
import {
  backendsOf,
  benchCommand,
  figuresLine,
  machine,
  withScratchStack,
  type BenchProfile,
} from '../report';
import { ClientFleet } from './fleet';
import { deviceIds, fleetRecords, markedRecords, seedActiveDevices } from './records';

/** How long each half of the fleet may take to connect. */
const GIVE_UP_MS = 10 * 60_000;

/**
 * Devices per gateway process at most: the open-file limit is 20,000 per process, and a
 * gateway holds a few dozen files of its own; 100,000 devices take 6 gateways (16,667 each).
 */
const PER_GATEWAY = 17_000;

/** How long the storm's devices and twins may take (the target is 60 s). */
const STORM_WAIT_MS = 10 * 60_000;

const kB = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+)`))![1]);
const slabKB = () => Number(readFileSync('/proc/meminfo', 'utf8').match(/Slab:\s+(\d+)/)![1]);

interface GatewayMemory {
  node: string;
  /** Devices of the second half on this gateway (the marginal ones). */
  added: number;
  userBytesPerConnection: number;
  heapBytesPerConnection: number;
}

interface IdleResult {
  devices: number;
  gateways: number;
  connectSeconds: number;
  /** Records with a session (`device_twins.session_id is not null`). */
  withSession: number;
  /** Twins consistent (records.ts: online, open session on a live gateway, no notice, active). */
  consistent: number;
  noticesWaiting: number;
  userBytesPerConnection: number;
  heapBytesPerConnection: number;
  kernelBytesPerConnection: number;
  perGateway: GatewayMemory[];
}

interface StormResult {
  devices: number;
  killed: number;
  of: number;
  backSeconds: number | null;
  convergedSeconds: number | null;
  /** Reports acknowledged before the kill, and how many of them the records hold. */
  acked: number;
  ackedInRecords: number;
  consistent: number;
  peakRssMiB: number;
  admitted: number;
  rateLimited: number;
  failedConnects: number;
}

interface Gateway {
  node: string;
  url: string;
  port: number;
  metricsPort: number;
  inspectPort: number;
  pid: number;
  crash(): Promise<void>;
}

const startGateway = async (
  backends: { temporalAddress: string; databaseUrl: string },
  node: string,
  options: { port?: number; env?: Record<string, string> } = {},
): Promise<Gateway> => {
  const inspectPort = await freePort();
  const g = await startGatewayProcess(backends, node, {
    ...options,
    nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`],
  });
  return { ...g, node, inspectPort };
};

/**
 * Issue 18 (measure 2): a fleet of idle devices over several gateway processes — memory per
 * idle connection, devices with a session and consistent twins in the records — then a
 * reconnect storm: gateways holding half the fleet are killed (SIGKILL) and started again on
 * their ports; all back, twins converged, and every report acknowledged before the kill in the
 * records. Devices are native JSON connections (hello, welcome) held by client processes;
 * credentials and active records are seeded straight into PostgreSQL (records.ts).
 */
export async function connectionBench(opts: {
  quick: boolean;
  progress(line: string): void;
  /** Devices (default 100,000; quick 3,000). */
  devices?: number;
  /** Backends (default: the dev server). */
  backends?: BenchProfile;
}): Promise<string> {
  const profile = opts.backends ?? 'dev';
  const n = opts.devices ?? (opts.quick ? 3_000 : 100_000);
  // At least 5 gateways (issue 18), at most PER_GATEWAY devices each.
  const count = Math.max(5, Math.ceil(n / PER_GATEWAY));
  const perGateway = Math.ceil(n / count);
  return withScratchStack(async (stack, backends) => {
    const tenantId = 'bench-conn';
    opts.progress(`  seeding ${n} active devices`);
    const { secret } = await seedActiveDevices(stack.database, tenantId, n);
    const gateways = await Promise.all(
      Array.from({ length: count }, (_, g) =>
        startGateway(backends, `bench-gw-${g}`, {
          env: { GATEWAY_ADMISSION_RATE: '5000', GATEWAY_FLAP_LIMIT: '1000' },
        }),
      ),
    );
    const shareOf = (g: number) => Math.max(0, Math.min(perGateway, n - g * perGateway));
    const measure = async () => {
      await new Promise((r) => setTimeout(r, 3_000));
      // A full GC in every gateway first (through its inspector), so garbage left by
      // connecting does not count as the connections' memory.
      await Promise.all(gateways.map((g) => collectGarbage(g.inspectPort)));
      await new Promise((r) => setTimeout(r, 1_000));
      const heaps = await Promise.all(gateways.map((g) => heapUsed(g.metricsPort)));
      return {
        rss: gateways.map((g) => kB(g.pid, 'VmRSS') * 1024),
        heap: heaps,
        slab: slabKB() * 1024,
      };
    };
    // Marginal cost: memory after the first half is up, then after the second half, so what
    // every gateway pays once (JIT, heap growth, pools) does not count.
    const fleets: ClientFleet[] = [];
    const started = Date.now();
    let before = { rss: [] as number[], heap: [] as number[], slab: 0 };
    const halves = gateways.map((_, g) => Math.floor(shareOf(g) / 2));
    let up = 0;
    for (const half of [0, 1] as const) {
      const opened = await Promise.all(
        gateways.map((g, i) => {
          const first = i * perGateway + (half === 0 ? 0 : halves[i]!);
          const size = half === 0 ? halves[i]! : shareOf(i) - halves[i]!;
          return ClientFleet.open({
            url: g.url,
            tenantId,
            deviceIds: deviceIds(first, size),
            secret,
            ratePerSecond: 2_000 / count,
          });
        }),
      );
      fleets.push(...opened);
      up += half === 0 ? sum(halves) : n - sum(halves);
      let lastPrint = 0;
      await waitAll(fleets, up, GIVE_UP_MS, (welcomed) => {
        if (Date.now() - lastPrint < 5_000) return;
        lastPrint = Date.now();
        opts.progress(`  idle ${n}: ${welcomed} connected`);
      });
      // Idle means the connect is in the record: every admitted connect committed.
      await uncommitted(gateways, Date.now() + GIVE_UP_MS);
      if (half === 0) before = await measure();
    }
    const connectSeconds = (Date.now() - started) / 1000;
    const after = await measure();
    const perGatewayMemory = gateways.map((g, i) => {
      const added = Math.max(1, shareOf(i) - halves[i]!);
      return {
        node: g.node,
        added,
        userBytesPerConnection: (after.rss[i]! - before.rss[i]!) / added,
        heapBytesPerConnection: (after.heap[i]! - before.heap[i]!) / added,
      };
    });
    const added = n - sum(halves);
    const records = await fleetRecords(
      stack.database,
      tenantId,
      gateways.map((g) => g.node),
    );
    const idle: IdleResult = {
      devices: n,
      gateways: count,
      connectSeconds,
      ...records,
      userBytesPerConnection: (sum(after.rss) - sum(before.rss)) / added,
      heapBytesPerConnection: (sum(after.heap) - sum(before.heap)) / added,
      // Loopback: the kernel holds both ends; half the slab growth is the gateway's side.
      kernelBytesPerConnection: (after.slab - before.slab) / (2 * added),
      perGateway: perGatewayMemory,
    };
    opts.progress(
      `  idle ${n}: ${(idle.userBytesPerConnection / 1024).toFixed(2)} KiB user (${(idle.heapBytesPerConnection / 1024).toFixed(2)} KiB JS heap), ${(idle.kernelBytesPerConnection / 1024).toFixed(2)} KiB kernel per connection; ${records.withSession} with a session, ${records.consistent} consistent`,
    );
    const storm = await reconnectStorm(backends, stack.database, tenantId, gateways, fleets, {
      devices: n,
      perGateway,
      shareOf,
      progress: opts.progress,
    });
    await Promise.all(fleets.map((f) => f.close()));
    await Promise.all(gateways.map((g) => g.crash()));
    return section(idle, storm, opts.quick, profile);
  }, profile);
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** A DevTools protocol session with a Node process started with `--inspect`. */
async function inspector(inspectPort: number) {
  const [target] = (await (
    await fetch(`http://127.0.0.1:${inspectPort}/json/list`)
  ).json()) as Array<{
    webSocketDebuggerUrl: string;
  }>;
  const ws = new WebSocket(target!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let id = 0;
  return {
    call(method: string, params?: object): Promise<unknown> {
      const callId = ++id;
      return new Promise((resolve) => {
        const onMessage = (data: Buffer) => {
          const reply = JSON.parse(data.toString()) as { id?: number; result?: unknown };
          if (reply.id !== callId) return;
          ws.off('message', onMessage);
          resolve(reply.result);
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ id: callId, method, params }));
      });
    },
    close: () => ws.close(),
  };
}

/** Runs a full garbage collection in a Node process started with `--inspect`. */
async function collectGarbage(inspectPort: number): Promise<void> {
  const session = await inspector(inspectPort);
  await session.call('HeapProfiler.collectGarbage');
  session.close();
}

/** The gateway's V8 heap in use, from its Prometheus metrics. */
async function heapUsed(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(text.match(/doppel_gateway_nodejs_heap_size_used_bytes (\d+)/)?.[1] ?? 0);
}

/** Reads a gateway's counters from its Prometheus metrics. */
async function counters(port: number): Promise<(name: string, outcome: string) => number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return (name, outcome) =>
    Number(
      text.match(
        new RegExp(`doppel_gateway_${name}_total\\{outcome="${outcome}"\\} (\\d+)`),
      )?.[1] ?? 0,
    );
}

/** Waits until every connect the gateways admitted is committed or failed (or `deadline`). */
async function uncommitted(
  gateways: ReadonlyArray<{ metricsPort: number }>,
  deadline: number,
): Promise<number> {
  for (;;) {
    const reads = await Promise.all(gateways.map((g) => counters(g.metricsPort)));
    const pending = reads.reduce(
      (sum, read) =>
        sum +
        read('admissions', 'admitted') -
        read('twin_connects', 'accepted') -
        read('twin_connects', 'failed'),
      0,
    );
    if (pending <= 0 || Date.now() > deadline) return Math.max(0, pending);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Waits until `n` devices have a session; after `giveUpMs`, settles for how many have. */
async function waitAll(
  fleets: ClientFleet[],
  n: number,
  giveUpMs: number,
  progress: (welcomed: number) => void,
): Promise<number> {
  const deadline = Date.now() + giveUpMs;
  for (;;) {
    const welcomed = sum(await Promise.all(fleets.map(async (f) => (await f.stats()).welcomed)));
    progress(welcomed);
    if (welcomed >= n || Date.now() > deadline) return welcomed;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Every device sends one report and waits for its ack; then the gateways holding at least
 * half the fleet are killed (SIGKILL) and started again on their ports, with default
 * admission settings and new node ids. Every device comes back at once, then while refused
 * waits the gateway's Retry-After plus a jittered back-off. "All back" is from the new
 * gateways listening until every device has a session again; "converged" until every twin is
 * consistent again (records.ts) — the new sessions on the new gateways, no notice waiting.
 */
async function reconnectStorm(
  backends: { temporalAddress: string; databaseUrl: string },
  database: Database,
  tenantId: string,
  gateways: Gateway[],
  fleets: ClientFleet[],
  opts: {
    devices: number;
    perGateway: number;
    shareOf(g: number): number;
    progress(line: string): void;
  },
): Promise<StormResult> {
  const n = opts.devices;
  const mark = `before-kill-${Date.now()}`;
  await Promise.all(fleets.map((f) => f.report(mark)));
  const acked = async () =>
    sum(await Promise.all(fleets.map(async (f) => (await f.stats()).acked)));
  const ackDeadline = Date.now() + STORM_WAIT_MS;
  while ((await acked()) < n && Date.now() < ackDeadline)
    await new Promise((r) => setTimeout(r, 500));
  const ackedBefore = await acked();
  // Gateways g hold fleets g and g + count (the two halves).
  let killed = 0;
  let devices = 0;
  while (devices < Math.min(50_000, Math.ceil(n / 2))) devices += opts.shareOf(killed++);
  opts.progress(
    `  storm: ${ackedBefore} reports acked; killing ${killed} of ${gateways.length} gateways (${devices} devices)`,
  );
  const doomed = gateways.slice(0, killed);
  await Promise.all(doomed.map((g) => g.crash()));
  const restarted = await Promise.all(
    doomed.map((g) => startGateway(backends, `${g.node}-after`, { port: g.port })),
  );
  const start = Date.now();
  gateways.splice(0, killed, ...restarted);
  let lastPrint = 0;
  const back = await waitAll(fleets, n, STORM_WAIT_MS, (welcomed) => {
    if (Date.now() - lastPrint < 5_000) return;
    lastPrint = Date.now();
    opts.progress(`  storm: ${welcomed} of ${n} with a session`);
  });
  const backMs = back >= n ? Date.now() - start : null;
  opts.progress(`  storm: all back after ${backMs === null ? '—' : (backMs / 1000).toFixed(1)} s`);
  const live = gateways.map((g) => g.node);
  let records = await fleetRecords(database, tenantId, live);
  while (records.consistent < n && Date.now() - start < STORM_WAIT_MS) {
    if (Date.now() - lastPrint >= 5_000) {
      lastPrint = Date.now();
      opts.progress(`  storm: ${records.consistent} of ${n} twins consistent`);
    }
    await new Promise((r) => setTimeout(r, 500));
    records = await fleetRecords(database, tenantId, live);
  }
  const convergedMs = records.consistent >= n ? Date.now() - start : null;
  const reads = await Promise.all(restarted.map((g) => counters(g.metricsPort)));
  return {
    devices,
    killed,
    of: gateways.length,
    backSeconds: backMs === null ? null : backMs / 1000,
    convergedSeconds: convergedMs === null ? null : convergedMs / 1000,
    acked: ackedBefore,
    ackedInRecords: await markedRecords(database, tenantId, mark),
    consistent: records.consistent,
    peakRssMiB: Math.max(...restarted.map((g) => kB(g.pid, 'VmHWM'))) / 1024,
    admitted: sum(reads.map((r) => r('admissions', 'admitted'))),
    rateLimited: sum(reads.map((r) => r('admissions', 'rate-limited'))),
    failedConnects: sum(reads.map((r) => r('twin_connects', 'failed'))),
  };
}

function section(
  idle: IdleResult,
  storm: StormResult,
  quick: boolean,
  profile: BenchProfile,
): string {
  const kib = (b: number) => (b / 1024).toFixed(2);
  const s = (x: number | null) => (x === null ? 'not within 10 min' : x.toFixed(1));
  const user = Math.max(idle.userBytesPerConnection, idle.heapBytesPerConnection);
  const figures = [
    {
      key: `user-kib-per-connection-${idle.devices}`,
      label: `user KiB per idle connection (${idle.devices.toLocaleString('en')} devices)`,
      value: Number(kib(user)),
      better: 'lower' as const,
    },
    {
      key: `with-session-${idle.devices}`,
      label: `idle devices with a session in the records, of ${idle.devices.toLocaleString('en')}`,
      value: idle.withSession,
      better: 'higher' as const,
    },
    {
      key: `consistent-${idle.devices}`,
      label: `twins consistent, of ${idle.devices.toLocaleString('en')}`,
      value: idle.consistent,
      better: 'higher' as const,
    },
    ...(storm.backSeconds === null
      ? []
      : [
          {
            key: `storm-back-s-${storm.devices}`,
            label: `reconnect storm (${storm.devices.toLocaleString('en')}): all back after s`,
            value: Number(storm.backSeconds.toFixed(1)),
            better: 'lower' as const,
          },
        ]),
    ...(storm.convergedSeconds === null
      ? []
      : [
          {
            key: `storm-converged-s-${storm.devices}`,
            label: `reconnect storm (${storm.devices.toLocaleString('en')}): twins converged after s`,
            value: Number(storm.convergedSeconds.toFixed(1)),
            better: 'lower' as const,
          },
        ]),
  ];
  return `## Idle connections (issue 18, measure 2)

Command: \`${benchCommand(quick, profile)}\`. Machine: ${machine()}. One run.
Backends: ${backendsOf(profile)}.
${idle.devices.toLocaleString('en')} native JSON devices over ${idle.gateways} gateway processes (the gateway role, at
most ${PER_GATEWAY.toLocaleString('en')} devices each: the open-file limit here is 20,000 per process), held open by
client processes (\`ws\`, at most 15,000 sockets each, at most 2,500 devices per 127.0.x.y source address). Credentials
and **active** device records are seeded straight into PostgreSQL (one shared secret): a fleet
that ran before, so a connect is the hot path alone — a first connection of a \`provisioned\`
device is an activation notice, drained at TWIN_NOTICE_RATE (provisioning's cost, in the cost
section). A device is up when welcomed and its connect committed to its record. User = growth
of each gateway's resident memory (RSS), after a full garbage collection, from the first half of
its devices up to all of them, ÷ the devices of the second half: the marginal cost of a
connection, without what a gateway pays once. JS heap = the same for V8's heap in use (part of
RSS). Kernel = growth of the kernel's slab memory ÷ (2 × devices): on loopback the kernel holds
both ends. The target is judged on the larger of RSS and JS heap. **Consistent** twin: ONLINE
in its record, with an open session (\`device_sessions\`) on a live gateway, no notice waiting
for the twin, lifecycle ACTIVE.

| devices | gateway processes | connect s | with a session (records) | consistent twins | notices waiting | user (RSS) KiB / connection | of which JS heap | kernel KiB / connection | target (user ≤ 2 KiB) |
|---|---|---|---|---|---|---|---|---|---|
| ${idle.devices.toLocaleString('en')} | ${idle.gateways} | ${idle.connectSeconds.toFixed(0)} | ${idle.withSession.toLocaleString('en')} | ${idle.consistent.toLocaleString('en')} | ${idle.noticesWaiting} | ${kib(idle.userBytesPerConnection)} | ${kib(idle.heapBytesPerConnection)} | ${kib(idle.kernelBytesPerConnection)} | ${user <= 2048 ? '✓' : '✗'} |

Per gateway process (the second half of its devices):

| gateway | devices added | user (RSS) KiB / connection | JS heap KiB / connection |
|---|---|---|---|
${idle.perGateway.map((g) => `| ${g.node} | ${g.added.toLocaleString('en')} | ${kib(g.userBytesPerConnection)} | ${kib(g.heapBytesPerConnection)} |`).join('\n')}

## Reconnect storm (issue 18, measure 2)

The same fleet: every device sends one report and waits for its ack; then ${storm.killed} of ${storm.of} gateways,
holding ${storm.devices.toLocaleString('en')} devices, are killed with SIGKILL and started again on their ports (new node
ids, default admission: ${gatewayConfig.shape.GATEWAY_ADMISSION_RATE.parse(undefined)} new connections/s each). Every device comes back at once, then while
refused waits the gateway's Retry-After (1 s) plus a jittered exponential back-off (0.25 … 5 s);
an attempt not answered within 5 s (a SYN dropped by a full listen queue) is given up and tried again.
"All back" is from the new gateways listening until every device of the fleet has a session
again; "converged" until every twin is consistent again (above). "Acked in records": of the
reports acknowledged before the kill, how many the records hold (nothing acknowledged is lost).

| devices | gateways killed | all back after s | twins converged after s | consistent | reports acked before the kill | of them in the records | admitted | refused (rate limit) | connects failed | peak RSS MiB (new gateway) | target (all back ≤ 60 s) |
|---|---|---|---|---|---|---|---|---|---|---|---|
| ${storm.devices.toLocaleString('en')} | ${storm.killed} of ${storm.of} | ${s(storm.backSeconds)} | ${s(storm.convergedSeconds)} | ${storm.consistent.toLocaleString('en')} | ${storm.acked.toLocaleString('en')} | ${storm.ackedInRecords.toLocaleString('en')} | ${storm.admitted} | ${storm.rateLimited} | ${storm.failedConnects} | ${storm.peakRssMiB.toFixed(0)} | ${storm.backSeconds !== null && storm.backSeconds <= 60 ? '✓' : '✗'} |

Previous design (545642f: every connect a signal-with-start to its twin; same machine, dev
profile, 2026-12-04): 10,000 idle devices on one gateway at 3.67 KiB user per connection; of
50,000, only 9,870 ever had a session (the dev server could not start the twins fast enough);
a storm of 10,000 devices back in 26.7 s, their twins told after 38.2 s (admission 500/s).

${figuresLine({ section: 'connections', profile, quick, figures })}`;
}

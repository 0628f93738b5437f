import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import WebSocket from 'ws';
import { freePort } from '../../deploy/embedded/child-process';
import { randomBytes } from 'node:crypto';
import { hashSecret } from '../../db/credentials';
import { deviceCredentials } from '../../db/schema';
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

/** How long each half of a fleet past 10,000 devices may take to connect (the 20-minute budget). */
const GIVE_UP_MS = 100_000;

/** Devices per gateway process: the open-file limit is 20,000 per process. */
const PER_GATEWAY = 16_000;

const kB = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+)`))![1]);
const slabKB = () => Number(readFileSync('/proc/meminfo', 'utf8').match(/Slab:\s+(\d+)/)![1]);

interface IdleResult {
  devices: number;
  /** Devices with a session when measured (fewer than `devices` when the limit was reached). */
  reached: number;
  /** Measured from before any device to the first half (the second half did not finish). */
  capped: boolean;
  /** False when not even the first half connected: no per-idle-connection figure then. */
  meaningful: boolean;
  gateways: number;
  connectSeconds: number;
  userBytesPerConnection: number;
  heapBytesPerConnection: number;
  kernelBytesPerConnection: number;
}

interface StormResult {
  devices: number;
  backSeconds: number;
  peakRssMiB: number;
  admitted: number;
  rateLimited: number;
  admittedPerSecond: number;
  /** Until every twin had accepted its session's connect (null: not within the wait). */
  toldSeconds: number | null;
  failedConnects: number;
}

/**
 * Issue 5, 3c and 3f: memory per idle device connection, and a reconnect storm. Gateways run
 * as their own processes (the gateway role); devices are native JSON connections that said
 * hello and got their welcome (their twin accepted the session), held by client processes.
 * Credentials are seeded straight into PostgreSQL with one shared secret (registration
 * through GraphQL is not what is measured here).
 */
export async function connectionBench(opts: {
  quick: boolean;
  progress(line: string): void;
  /** Only the reconnect storm (for working on it). */
  stormOnly?: boolean;
  /** Where to write a CPU profile of the storm's gateway (.cpuprofile), if anywhere. */
  profileDir?: string;
  /** Backends (default: the dev server). */
  backends?: BenchProfile;
}): Promise<string> {
  const profile = opts.backends ?? 'dev';
  const sizes = opts.stormOnly ? [] : opts.quick ? [2_000] : [10_000, 50_000];
  const stormSize = opts.quick ? 2_000 : 10_000;
  return withScratchStack(async (stack, backends) => {
    {
      {
        const tenantId = 'bench-conn';
        const secret = `dpl_${randomBytes(24).toString('base64url')}`;
        const secretHash = await hashSecret(secret);
        const most = Math.max(...sizes, stormSize);
        for (let i = 0; i < most; i += 5_000)
          await stack.database.db.insert(deviceCredentials).values(
            Array.from({ length: Math.min(5_000, most - i) }, (_, j) => ({
              tenantId,
              deviceId: `c-${i + j}`,
              secretHash,
            })),
          );
        const ids = (from: number, n: number) =>
          Array.from({ length: n }, (_, i) => `c-${from + i}`);

        const idle: IdleResult[] = [];
        let offset = 0;
        const idleAt = async (n: number) => {
          const count = Math.ceil(n / PER_GATEWAY);
          const gateways = await Promise.all(
            Array.from({ length: count }, (_, g) =>
              freePort().then((inspectPort) =>
                startGatewayProcess(backends, `bench-idle-${n}-${g}`, {
                  env: { GATEWAY_ADMISSION_RATE: '5000', GATEWAY_FLAP_LIMIT: '1000' },
                  nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`],
                }).then((gateway) => ({ ...gateway, inspectPort })),
              ),
            ),
          );
          // Marginal cost: memory after the first half is up, then after the second half, so
          // what every gateway pays once (JIT, heap growth, pools) does not count.
          const half = Math.floor(n / 2);
          const fleets: ClientFleet[] = [];
          const started = Date.now();
          const measure = async () => {
            await new Promise((r) => setTimeout(r, 3_000));
            // A full GC in every gateway first (through its inspector), so garbage left by
            // connecting does not count as the connections' memory.
            await Promise.all(gateways.map((g) => collectGarbage(g.inspectPort)));
            await new Promise((r) => setTimeout(r, 1_000));
            const heaps = await Promise.all(gateways.map((g) => heapUsed(g.metricsPort)));
            return {
              rss: gateways.reduce((sum, g) => sum + kB(g.pid, 'VmRSS') * 1024, 0),
              heap: heaps.reduce((a, b) => a + b, 0),
              slab: slabKB() * 1024,
            };
          };
          // Before any device: what a fleet that cannot finish is measured from.
          const base = n > 10_000 ? await measure() : null;
          let before = { rss: 0, heap: 0, slab: 0 };
          let reachedBefore = 0;
          let reached = 0;
          // Past 10,000 the embedded Temporal dev server (SQLite) is the limit: each half gets
          // a few minutes, and the row says how many devices it reached.
          const giveUpMs = n > 10_000 ? GIVE_UP_MS : 15 * 60_000;
          for (const [from, size] of [
            [0, half],
            [half, n - half],
          ] as const) {
            fleets.push(
              ...(await Promise.all(
                gateways.map((g, i) => {
                  const share = Math.ceil(size / count);
                  return ClientFleet.open({
                    url: g.url,
                    tenantId,
                    deviceIds: ids(
                      offset + from + i * share,
                      Math.max(0, Math.min(share, size - i * share)),
                    ),
                    secret,
                    ratePerSecond: 2_000 / count,
                  });
                }),
              )),
            );
            let lastPrint = 0;
            const deadline = Date.now() + giveUpMs;
            reached = await waitAll(fleets, from + size, giveUpMs, (welcomed) => {
              if (Date.now() - lastPrint < 5_000) return;
              lastPrint = Date.now();
              opts.progress(`  idle ${n}: ${welcomed} connected`);
            });
            // Idle means the twin holds the session: Temporal has taken every connect.
            // (Sessions whose connect is still on its way do not count as reached.)
            reached -= await untold(gateways, deadline);
            if (from === 0) {
              before = await measure();
              reachedBefore = reached;
            }
          }
          const connectSeconds = (Date.now() - started) / 1000;
          const after = await measure();
          offset += n;
          // A fleet that could not finish (the second half churning, not idle) is measured from
          // before any device to the first half instead: fixed costs included, so an upper bound.
          const capped = reached < n && base !== null && reachedBefore > 0;
          const [from0, to0, added] = capped
            ? [base, before, reachedBefore]
            : [before, after, Math.max(1, reached - reachedBefore)];
          idle.push({
            devices: n,
            reached: capped ? reachedBefore : reached,
            capped,
            // Not even the first half came up: its sockets were churning, not idle.
            meaningful: !capped || reachedBefore >= half,
            gateways: count,
            connectSeconds,
            userBytesPerConnection: (to0.rss - from0.rss) / added,
            heapBytesPerConnection: (to0.heap - from0.heap) / added,
            // Loopback: the kernel holds both ends; half the slab growth is the gateway's side.
            kernelBytesPerConnection: (to0.slab - from0.slab) / (2 * added),
          });
          opts.progress(
            `  idle ${n}: ${(idle.at(-1)!.userBytesPerConnection / 1024).toFixed(1)} KiB user (${(idle.at(-1)!.heapBytesPerConnection / 1024).toFixed(1)} KiB JS heap), ${(idle.at(-1)!.kernelBytesPerConnection / 1024).toFixed(1)} KiB kernel per connection`,
          );
          await Promise.all(fleets.map((f) => f.close()));
          await Promise.all(gateways.map((g) => g.crash()));
        };

        // The storm before the largest fleet, which leaves the dev server busy for a while.
        if (sizes.length > 0) await idleAt(sizes[0]!);
        opts.progress(`  reconnect storm: ${stormSize} devices`);
        const storm = await reconnectStorm(backends, tenantId, secret, ids(0, stormSize), opts);
        for (const n of sizes.slice(1)) await idleAt(n);
        return section(idle, storm, opts.quick, profile);
      }
    }
  }, profile);
}

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

/** Sessions the gateways admitted whose twin was not yet told, once none or at `deadline`. */
async function untold(gateways: Array<{ metricsPort: number }>, deadline: number): Promise<number> {
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
    const welcomed = (await Promise.all(fleets.map((f) => f.stats()))).reduce(
      (sum, s) => sum + s.welcomed,
      0,
    );
    progress(welcomed);
    if (welcomed >= n || Date.now() > deadline) return welcomed;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * All devices connected to one gateway with the default admission settings; the gateway is
 * killed (SIGKILL) and started again on the same port; every device tries to come back at
 * once (then with jittered back-off while refused). Measured from the new gateway listening
 * until every device has a session again.
 */
async function reconnectStorm(
  backends: { temporalAddress: string; databaseUrl: string },
  tenantId: string,
  secret: string,
  deviceIds: string[],
  opts: { progress(line: string): void; profileDir?: string },
): Promise<StormResult> {
  const first = await startGatewayProcess(backends, 'bench-storm-a');
  const fleet = await ClientFleet.open({
    url: first.url,
    tenantId,
    deviceIds,
    secret,
    ratePerSecond: 450,
    minProcesses: 4,
  });
  try {
    await fleet.waitForWelcomed(deviceIds.length, 10 * 60_000);
    await first.crash();
    const inspectPort = await freePort();
    const second = await startGatewayProcess(backends, 'bench-storm-b', {
      port: first.port,
      ...(opts.profileDir ? { nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`] } : {}),
    });
    const start = Date.now();
    const profiler = opts.profileDir ? await inspector(inspectPort) : null;
    await profiler?.call('Profiler.enable');
    await profiler?.call('Profiler.start');
    let lastPrint = 0;
    const backMs = await fleet.waitForWelcomed(deviceIds.length, 10 * 60_000, (welcomed) => {
      if (Date.now() - lastPrint < 5_000) return;
      lastPrint = Date.now();
      opts.progress(`  storm: ${welcomed} back`);
    });
    opts.progress(`  storm: all back after ${(backMs / 1000).toFixed(1)} s`);
    if (profiler && opts.profileDir) {
      const { profile } = (await profiler.call('Profiler.stop')) as { profile: unknown };
      profiler.close();
      const file = path.join(opts.profileDir, `storm-${Date.now()}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      opts.progress(`  storm: CPU profile of the gateway in ${file}`);
    }
    const metrics = () => counters(second.metricsPort);
    // The devices are back; their twins hear of it as fast as Temporal takes the signals.
    let toldMs: number | null = null;
    let read = await metrics();
    const admitted = read('admissions', 'admitted');
    const told = (r: typeof read) =>
      r('twin_connects', 'accepted') + r('twin_connects', 'failed') >= admitted;
    while (!told(read) && Date.now() - start < 10 * 60_000) {
      if (Date.now() - lastPrint >= 5_000) {
        lastPrint = Date.now();
        opts.progress(`  storm: ${read('twin_connects', 'accepted')} of ${admitted} twins told`);
      }
      await new Promise((r) => setTimeout(r, 250));
      read = await metrics();
    }
    if (told(read)) toldMs = Date.now() - start;
    const peakRssMiB = kB(second.pid, 'VmHWM') / 1024;
    await second.crash();
    return {
      devices: deviceIds.length,
      backSeconds: backMs / 1000,
      peakRssMiB,
      admitted,
      rateLimited: read('admissions', 'rate-limited'),
      admittedPerSecond: admitted / (backMs / 1000),
      toldSeconds: toldMs === null ? null : toldMs / 1000,
      failedConnects: read('twin_connects', 'failed'),
    };
  } finally {
    await fleet.close();
  }
}

function section(
  idle: IdleResult[],
  storm: StormResult,
  quick: boolean,
  profile: BenchProfile,
): string {
  const kib = (b: number) => (b / 1024).toFixed(2);
  const largest = idle.filter((r) => r.meaningful).at(-1);
  const figures = [
    ...(largest
      ? [
          {
            key: `user-kib-per-connection-${largest.devices}`,
            label: `user KiB per idle connection (${largest.reached.toLocaleString('en')} devices)`,
            value: Number(
              kib(Math.max(largest.userBytesPerConnection, largest.heapBytesPerConnection)),
            ),
            better: 'lower' as const,
          },
        ]
      : []),
    ...idle.map((r) => ({
      key: `reached-${r.devices}`,
      label: `idle devices with a session, of ${r.devices.toLocaleString('en')}`,
      value: r.reached,
      better: 'higher' as const,
    })),
    {
      key: `storm-back-s-${storm.devices}`,
      label: `reconnect storm (${storm.devices.toLocaleString('en')}): all back after s`,
      value: Number(storm.backSeconds.toFixed(1)),
      better: 'lower' as const,
    },
    ...(storm.toldSeconds === null
      ? []
      : [
          {
            key: `storm-told-s-${storm.devices}`,
            label: `reconnect storm (${storm.devices.toLocaleString('en')}): twins told after s`,
            value: Number(storm.toldSeconds.toFixed(1)),
            better: 'lower' as const,
          },
        ]),
  ];
  return `## Memory per idle connection (3c)

Command: \`${benchCommand(quick, profile)}\`. Machine: ${machine()}. One run per row.
Backends: ${backendsOf(profile)}.
Native JSON devices that said hello and got their welcome (their twin holds the session), held
open by client processes (\`ws\`, one 127.0.x.y source address per process); gateways are the
gateway role in their own processes, at most ${PER_GATEWAY.toLocaleString('en')} devices each
(the open-file limit here is 20,000 per process). User = growth of the gateways' resident
memory (RSS), after a full garbage collection, while the second half of the devices connects (5 s after the first half, to 5 s after
the last), ÷ the devices of that half: the marginal cost of a connection, without what a
gateway pays once (JIT, heap growth, pools). JS heap = the same for V8's heap in use (part of
RSS). Kernel = growth of the kernel's slab memory ÷ (2 × devices): on loopback the kernel
holds both ends of every connection, and this counts one end. The target is judged on the
larger of RSS and JS heap: after a full GC, V8 may hand pages back, which can make a small
fleet's RSS growth read low or even negative.

| devices (with a session when measured) | gateway processes | connect s | user (RSS) KiB / connection | of which JS heap | kernel KiB / connection | target (user) |
|---|---|---|---|---|---|---|
${idle.map((r) => `| ${r.devices.toLocaleString('en')} (${r.reached.toLocaleString('en')}${r.capped ? ': **limit reached**, measured at the first half, see below' : ''}) | ${r.gateways} | ${r.connectSeconds.toFixed(0)} | ${r.meaningful ? `${kib(r.userBytesPerConnection)} | ${kib(r.heapBytesPerConnection)} | ${kib(r.kernelBytesPerConnection)} | ≤ 2 KiB ${Math.max(r.userBytesPerConnection, r.heapBytesPerConnection) <= 2048 ? '✓' : '✗'}` : '— | — | — | not measured: not even half the fleet came up (its sockets were churning, not idle)'} |`).join('\n')}

${
  idle.some((r) => r.capped)
    ? profile !== 'dev'
      ? `Where a row reached fewer devices than it asked for, devices did not all get a session within ${GIVE_UP_MS / 1000} s per half of the fleet (every session is a twin's signal-with-start on the Temporal cluster above, sharing 2 cores with everything else); the row is then measured from before the first device to the first half complete — fixed costs included, so an upper bound.\n`
      : `Where a row reached fewer devices than it asked for, the limit is the embedded Temporal dev server (SQLite, one process): every session is a twin's signal-with-start, the server is still working through the twins of the fleets before (the storm's reconnects, gateway-lost marks), and on this 2-core machine new sessions come at tens to a few hundred per second (reached ÷ connect s) — in an earlier run, past ~40,000 fresh twins, most failed (twin unavailable → the device reconnects). So each half of the fleet gets ${GIVE_UP_MS / 1000} s; when the second half does not finish (its devices are then churning, not idle), the row is measured from before the first device to the first half complete — fixed costs included, so an upper bound. A fleet this size wants a Temporal cluster.\n`
    : ''
}
## Reconnect storm (3f)

${storm.devices.toLocaleString('en')} devices connected to one gateway (default settings: admission ${500}/s); the
gateway is killed with SIGKILL and started again on the same port; every device comes back at
once, then while refused waits the gateway's Retry-After (1 s) plus a jittered exponential
back-off (0.25 … 5 s); the devices are spread over 4 client processes (source addresses). "All back" is timed
from the new gateway listening until every device had a session again: hello answered, its
connect queued for the twin, ahead of anything the device sends next (a device's reports are
acknowledged only once its twin accepted them, so nothing acknowledged waits on this). "Twins
told" is until Temporal had accepted every one of those connects (signal-with-start per twin);
a connect Temporal refuses closes its connection (1013), counted as failed.

| devices | all back after s | twins told after s | admitted | refused (rate limit) | connects failed | admitted / s | peak RSS MiB | target (all back) |
|---|---|---|---|---|---|---|---|---|
| ${storm.devices.toLocaleString('en')} | ${storm.backSeconds.toFixed(1)} | ${storm.toldSeconds === null ? 'not within 10 min' : storm.toldSeconds.toFixed(1)} | ${storm.admitted} | ${storm.rateLimited} | ${storm.failedConnects} | ${storm.admittedPerSecond.toFixed(0)} | ${storm.peakRssMiB.toFixed(0)} | ≤ 60 s ${storm.backSeconds <= 60 ? '✓' : '✗'} |

${figuresLine({ section: 'connections', profile, quick, figures })}`;
}

/**
 * Gateway ingest against its peers (issue 5, items 2–3): saturated messages/s per protocol,
 * measured side by side (every system of a group once per round, rotating order, median of the
 * rounds and of the per-round ratios), server CPU per message from /proc, then open-loop ack
 * latency at 10/50/80 % of each system's own maximum, device-to-PostgreSQL latency for Doppel's
 * native JSON telemetry, and a CPU profile of the gateway under load. Returns markdown.
 */
import {
  benchCommand,
  figuresLine,
  machine as machineOf,
  startBenchInfrastructure,
  type BenchProfile,
} from './report';
import { writeFileSync } from 'node:fs';
import type { Histogram } from 'hdr-histogram-js';
import { registerDevice, startStack } from '../test/support/stack';
import { LoadGenerator, type RunResult } from './loadgen/load-generator';
import { CpuMeter, childPids, postmasterPid } from './loadgen/proc-cpu';
import type { Device, Target } from './loadgen/protocols';
import { RING } from './loadgen/connection';
import { start as startMosquitto } from './peers/mosquitto';
import { spawnServer, type SpawnedServer } from './peers/spawn-server';
import { summariseProfile } from './loadgen/profile-summary';
import { ALARM_BENCH_MODEL, seedAlarmRules } from './alarm-rules';

const ALARM_SYSTEM = 'Doppel JSON, 1,000 alarm rules';

export interface IngestOptions {
  quick: boolean;
  /** Backends (default: the dev server). */
  profile?: BenchProfile;
  progress(line: string): void;
}

interface System {
  group: 'json' | 'mqtt' | 'ocpp';
  name: string;
  target: Target;
  /** Processes whose CPU is the server's. */
  serverPids(): number[];
  /** PostgreSQL processes, for the systems that write to it. */
  dbPids?: () => number[];
  connections: number;
  window: number;
  /** Open loop: unacked messages allowed per connection (the protocol's own limit). */
  openWindow: number;
  doppel?: boolean;
  profile?: SpawnedServer;
  devices: Device[];
  /** The load generator's connection set, while the group runs. */
  set?: number;
}

interface Sample {
  perSecond: number;
  serverUsPerMsg: number;
  dbUsPerMsg: number | null;
  errors: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (us: number) => (us / 1000).toFixed(2);
const pct = (h: Histogram) =>
  `${ms(h.getValueAtPercentile(50))} / ${ms(h.getValueAtPercentile(99))} / ${ms(h.getValueAtPercentile(99.9))}`;

function targetOf(url: string, protocol: Target['protocol'], path?: string): Target {
  const u = new URL(url);
  return {
    protocol,
    host: u.hostname,
    port: Number(u.port),
    transport: u.protocol === 'mqtt:' ? 'tcp' : 'ws',
    path: path ?? decodeURIComponent(u.pathname),
  };
}

export async function ingestBench(opts: IngestOptions): Promise<string> {
  const { quick, progress } = opts;
  const profile = opts.profile ?? 'dev';
  const cfg = quick
    ? { rounds: 2, warmupMs: 300, durationMs: 1000, levels: [0.5], profileMs: 1000 }
    : { rounds: 5, warmupMs: 700, durationMs: 2000, levels: [0.1, 0.5, 0.8], profileMs: 2000 };
  const began = Date.now();
  const elapsed = () => Math.round((Date.now() - began) / 1000);
  const machine = machineOf();
  const cleanups: Array<() => Promise<void>> = [];
  try {
    progress('ingest: starting Temporal and PostgreSQL');
    const infra = await startBenchInfrastructure(opts.profile ?? 'dev');
    cleanups.push(() => infra.stop());
    const pgPort = Number(new URL(infra.databaseUrl).port);
    const postmaster = postmasterPid(pgPort);
    const dbPids = () => (postmaster ? [postmaster, ...childPids(postmaster)] : []);
    const stack = await startStack(infra);
    cleanups.push(() => stack.stop());

    const tenant = 'bench';
    // Each Doppel protocol its own devices (a device's twin holds one session at a time).
    const jsonConns = quick ? 16 : 64;
    const ocppConns = quick ? 16 : 128;
    const total = 2 * jsonConns + ocppConns;
    progress(`ingest: registering ${total} devices`);
    const devices: Device[] = [];
    for (let i = 0; i < total; i += 8) {
      const ids = Array.from({ length: Math.min(8, total - i) }, (_, k) => `d${i + k}`);
      const tokens = await Promise.all(ids.map((id) => registerDevice(stack, tenant, id)));
      ids.forEach((id, k) => devices.push({ tenant, device: id, token: tokens[k]! }));
    }

    // The same devices' traffic in a tenant with 1,000 alarm rules (issue 19): 10 read this
    // model's fields (power, temperature, energy_Wh; one breaches on every sample and stays
    // raised), 990 name other models — what a tenant of a hundred device profiles has.
    const alarmTenant = 'bench-alarms';
    const alarmDevices: Device[] = [];
    for (let i = 0; i < jsonConns; i += 8) {
      const ids = Array.from({ length: Math.min(8, jsonConns - i) }, (_, k) => `a${i + k}`);
      const tokens = await Promise.all(
        ids.map((id) => registerDevice(stack, alarmTenant, id, ALARM_BENCH_MODEL)),
      );
      ids.forEach((id, k) =>
        alarmDevices.push({ tenant: alarmTenant, device: id, token: tokens[k]! }),
      );
    }
    await seedAlarmRules(stack.database, alarmTenant, 1_000);

    progress('ingest: starting the gateway and the peers');
    const backends = { temporalAddress: infra.temporalAddress, databaseUrl: infra.databaseUrl };
    const spawn = async (name: string, o: object = {}) => {
      const s = await spawnServer(name, o);
      cleanups.push(() => s.stop());
      return s;
    };
    const gateway = await spawn('doppel-gateway', backends);
    const wsJson = await spawn('ws-json', { databaseUrl: infra.databaseUrl });
    const echo = await spawn('uws-echo');
    const aedes = await spawn('aedes');
    const ocppRpc = await spawn('ocpp-rpc');
    const mosquitto = await startMosquitto();
    cleanups.push(() => mosquitto.stop());
    const lg = await LoadGenerator.start(2);
    cleanups.push(() => lg.stop());

    const own = (s: SpawnedServer) => () => [s.pid];
    // A broker's TCP and WebSocket listeners share sessions: a second connection with the same
    // client id would take the first one over, so the TCP rows connect as other clients.
    const otherIds = (ds: Device[]) => ds.map((d) => ({ ...d, device: `tcp-${d.device}` }));
    const json = {
      group: 'json' as const,
      connections: jsonConns,
      devices: devices.slice(0, jsonConns),
      window: 32,
      openWindow: RING - 1,
    };
    const mqtt = {
      group: 'mqtt' as const,
      connections: jsonConns,
      devices: devices.slice(jsonConns, 2 * jsonConns),
      window: 32,
      openWindow: 100,
    };
    const ocpp = {
      group: 'ocpp' as const,
      connections: ocppConns,
      devices: devices.slice(2 * jsonConns),
      window: 1,
      openWindow: 1,
    };
    const systems: System[] = [
      {
        ...json,
        name: 'Doppel JSON',
        target: targetOf(`${gateway.url}/device`, 'json'),
        serverPids: own(gateway),
        dbPids,
        doppel: true,
        profile: gateway,
      },
      {
        ...json,
        name: ALARM_SYSTEM,
        devices: alarmDevices,
        target: targetOf(`${gateway.url}/device`, 'json'),
        serverPids: own(gateway),
        dbPids,
        doppel: true,
        profile: gateway,
      },
      {
        ...json,
        name: 'ws peer (same zod + INSERT)',
        target: targetOf(wsJson.url, 'json'),
        serverPids: own(wsJson),
        dbPids,
      },
      {
        ...json,
        name: 'uWS echo (no work)',
        target: targetOf(echo.url, 'json'),
        serverPids: own(echo),
      },
      {
        ...mqtt,
        name: 'Doppel MQTT over WS',
        target: targetOf(`${gateway.url}/mqtt`, 'mqtt'),
        serverPids: own(gateway),
        dbPids,
        doppel: true,
        profile: gateway,
      },
      {
        ...mqtt,
        name: 'Mosquitto TCP',
        devices: otherIds(mqtt.devices),
        target: targetOf(mosquitto.url, 'mqtt'),
        serverPids: () => [mosquitto.pid!],
      },
      {
        ...mqtt,
        name: 'Mosquitto WS (beside TCP)',
        target: targetOf(mosquitto.urls!.ws!, 'mqtt'),
        serverPids: () => [mosquitto.pid!],
      },
      { ...mqtt, name: 'aedes WS', target: targetOf(aedes.url, 'mqtt'), serverPids: own(aedes) },
      {
        ...mqtt,
        name: 'aedes TCP',
        devices: otherIds(mqtt.devices),
        target: targetOf(aedes.urls.tcp!, 'mqtt'),
        serverPids: own(aedes),
      },
      {
        ...ocpp,
        name: 'Doppel OCPP 1.6 (schema-validated)',
        target: targetOf(
          `${gateway.url}/ocpp/{tenant}/{device}`,
          'ocpp',
          '/ocpp/{tenant}/{device}',
        ),
        serverPids: own(gateway),
        doppel: true,
        profile: gateway,
      },
      {
        ...ocpp,
        name: 'ocpp-rpc strictMode',
        target: targetOf(ocppRpc.url, 'ocpp', '/ocpp/{tenant}/{device}'),
        serverPids: own(ocppRpc),
      },
    ];

    /** One measured run on a system's open connections, with its server's CPU. */
    const measure = async (
      s: System,
      spec: { mode: 'closed' | 'open'; ratePerSecond?: number },
      durationMs = cfg.durationMs,
    ): Promise<{ r: RunResult; sample: Sample }> => {
      const server = new CpuMeter(s.serverPids);
      const db = s.dbPids ? new CpuMeter(s.dbPids) : null;
      let serverUs = 0;
      let dbUs = 0;
      const r = await lg.run(
        s.set!,
        {
          ...spec,
          window: spec.mode === 'open' ? s.openWindow : s.window,
          warmupMs: cfg.warmupMs,
          durationMs,
        },
        {
          start: () => {
            server.start();
            db?.start();
          },
          end: () => {
            serverUs = server.elapsedUs();
            dbUs = db?.elapsedUs() ?? 0;
          },
        },
      );
      return {
        r,
        sample: {
          perSecond: r.perSecond,
          serverUsPerMsg: r.acked ? serverUs / r.acked : NaN,
          dbUsPerMsg: db && r.acked ? dbUs / r.acked : null,
          errors: r.errors,
        },
      };
    };

    const samples = new Map<string, Sample[]>(systems.map((s) => [s.name, []]));
    const maxOf = (name: string) => median(samples.get(name)!.map((x) => x.perSecond));
    const latency: Array<{
      s: System;
      level: number;
      rate: number;
      r: RunResult;
      commit?: string;
    }> = [];
    const profiles: Array<{ s: System; top: string }> = [];
    for (const group of ['json', 'mqtt', 'ocpp'] as const) {
      const members = systems.filter((s) => s.group === group);
      // Connections stay open for the whole group (idle while another system runs): no
      // reconnects, and no twin connect/disconnect work, inside a measurement.
      for (const s of members) {
        s.set = await lg.open(s.target, s.devices);
        // An unmeasured run first: JIT warm-up, and the first connect of Doppel's twins.
        await measure(s, { mode: 'closed' }, quick ? 200 : 500);
      }
      progress(`ingest ${group}: ${members.length} systems connected (${elapsed()} s)`);
      // (a) Saturation: every system once per round, the order rotating each round.
      for (let round = 0; round < cfg.rounds; round++) {
        const order = members.map((_, i) => members[(i + round) % members.length]!);
        for (const s of order) {
          const { sample } = await measure(s, { mode: 'closed' });
          samples.get(s.name)!.push(sample);
          progress(
            `  ${group} round ${round + 1}/${cfg.rounds}: ${s.name} ${fmt(sample.perSecond)} msg/s, ${sample.serverUsPerMsg.toFixed(1)} µs CPU/msg (${elapsed()} s)`,
          );
        }
      }
      // (b) Latency, open loop, at fractions of each system's own median maximum.
      for (const level of cfg.levels) {
        for (const s of members) {
          const rate = Math.max(100, Math.round(maxOf(s.name) * level));
          const { r } = await measure(s, { mode: 'open', ratePerSecond: rate });
          let commit: string | undefined;
          if (s.doppel && s.group === 'json') {
            // Device (the sample's due send time, carried in `at`) to the row's received_at,
            // which is now() of the inserting transaction: a lower bound of device-to-COMMIT.
            // The ack is sent after COMMIT, so ack latency is an upper bound.
            const [row] = await stack.database.sql`
              select percentile_cont(array[0.5, 0.99, 0.999]) within group (
                order by extract(epoch from (received_at - at)) * 1000) as p,
                count(*)::int as n
              from telemetry
              where tenant_id = ${s.devices[0]!.tenant}
                and at >= to_timestamp(${r.from / 1000}) and at < to_timestamp(${r.to / 1000})`;
            const p = (row?.p ?? []) as number[];
            commit = p.length
              ? `${p.map((x) => x.toFixed(2)).join(' / ')} (${fmt(row!.n)} rows)`
              : '—';
          }
          latency.push({ s, level, rate, r, ...(commit ? { commit } : {}) });
          progress(
            `  latency ${Math.round(level * 100)} %: ${s.name} at ${fmt(rate)}/s → p99 ${ms(r.latencyUs.getValueAtPercentile(99))} ms (${elapsed()} s)`,
          );
        }
      }
      // A CPU profile of the gateway under saturating load.
      for (const s of members.filter((x) => x.doppel && (!quick || x.group === 'json'))) {
        s.profile!.profileStart();
        await measure(s, { mode: 'closed' }, cfg.profileMs);
        const cpuProfile = await s.profile!.profileStop();
        // DOPPEL_BENCH_PROFILES=<dir>: the raw profiles too, for a closer look (DevTools, speedscope).
        const dir = process.env.DOPPEL_BENCH_PROFILES;
        if (dir)
          writeFileSync(
            `${dir}/ingest-${s.name.replace(/[^A-Za-z0-9]+/g, '-')}.cpuprofile`,
            JSON.stringify(cpuProfile),
          );
        profiles.push({ s, top: summariseProfile(cpuProfile, 12) });
        progress(`  profiled ${s.name}`);
      }
      for (const s of members) await lg.close(s.set!);
    }

    return report();

    function report(): string {
      const seconds = Math.round((Date.now() - began) / 1000);
      const flags = `${quick ? ' --quick' : ''}${profile === 'dev' ? '' : ` --profile=${profile}`}`;
      const cmd = `${benchCommand(quick, profile)}\` (this section alone: \`npx tsx bench/ingest-cli.ts${flags}`;
      const runsNote = quick
        ? `**quick mode: ${cfg.rounds} rounds of ${cfg.durationMs / 1000} s (fewer than the 5 pairs BENCHMARKING.md asks for: a smoke test, not a result)**`
        : `${cfg.rounds} rounds of ${cfg.durationMs / 1000} s measured after ${cfg.warmupMs / 1000} s warm-up`;
      const groupTable = (group: System['group']) => {
        const rows = systems
          .filter((s) => s.group === group)
          .map((s) => {
            const xs = samples.get(s.name)!;
            const rate = xs.map((x) => x.perSecond);
            const cpu = median(xs.map((x) => x.serverUsPerMsg));
            const db =
              xs[0]?.dbUsPerMsg != null ? median(xs.map((x) => x.dbUsPerMsg!)).toFixed(1) : '—';
            return `| ${s.name} | ${fmt(median(rate))} | ${fmt(Math.min(...rate))}–${fmt(Math.max(...rate))} | ${cpu.toFixed(2)} | ${fmt(1e6 / cpu)} | ${db} | ${s.connections} × ${s.window} | ${xs.reduce((a, x) => a + x.errors, 0)} |`;
          });
        return [
          '| system | msg/s (median) | min–max | server CPU µs/msg | msg/s per server core | PostgreSQL CPU µs/msg | connections × window | errors |',
          '|---|---|---|---|---|---|---|---|',
          ...rows,
        ].join('\n');
      };
      const ratio = (a: string, b: string) => {
        const xa = samples.get(a)!;
        const xb = samples.get(b)!;
        const per = xa.map((x, i) => x.perSecond / xb[i]!.perSecond);
        const cpu = xa.map((x, i) => xb[i]!.serverUsPerMsg / x.serverUsPerMsg);
        return { m: median(per), per, cpu: median(cpu) };
      };
      /** `on: 'cpu'`: the target is on the CPU-per-message ratio (issue 19's alarm row). */
      const ratioRow = (a: string, b: string, target?: number, on: 'msg' | 'cpu' = 'msg') => {
        const { m, per, cpu } = ratio(a, b);
        const judged = on === 'cpu' ? cpu : m;
        const verdict =
          target === undefined
            ? ''
            : judged >= target
              ? `≥ ${target}×: **met**`
              : `≥ ${target}×: **not met**`;
        return `| ${a} ÷ ${b} | ${m.toFixed(2)}× | ${per.map((x) => x.toFixed(2)).join(', ')} | ${cpu.toFixed(2)}× | ${verdict} |`;
      };
      const ratioHead =
        '| pair (A ÷ B) | msg/s ratio, median | per round | CPU-per-message ratio (B ÷ A), median | target |\n|---|---|---|---|---|';
      const jsonCpu = median(samples.get('Doppel JSON')!.map((x) => x.serverUsPerMsg));
      const perCore = 1e6 / jsonCpu;
      const lat50 = latency.filter((l) => l.level === 0.5);
      const doppelJson50 = lat50.find((l) => l.s.name === 'Doppel JSON');
      const ackP99 = doppelJson50 ? doppelJson50.r.latencyUs.getValueAtPercentile(99) / 1000 : NaN;
      const latRows = latency.map(
        (l) =>
          `| ${l.s.name} | ${Math.round(l.level * 100)} % | ${fmt(l.rate)} | ${fmt(l.r.perSecond)} | ${pct(l.r.latencyUs)} | ${ms(l.r.latenessUs.getValueAtPercentile(50))} / ${ms(l.r.latenessUs.getValueAtPercentile(99))} | ${l.commit ?? '—'} | ${l.r.errors} |`,
      );
      return `## Gateway ingest: saturated messages/s per protocol

Command: \`${cmd}\`). Machine: ${machine}. Written ${new Date().toISOString().slice(0, 16)}Z, ${seconds} s.
Runs: ${runsNote}. Within a group every system runs once per round, the order rotating each round
(A B C, B C A, …); each row is the median over rounds, each ratio the median of the per-round
ratios (A and B measured minutes apart at most, under the same machine load).

How: a closed loop of *connections × window* unacknowledged messages, from the raw-socket load
generator (\`bench/loadgen/\`: 2 worker processes, hand-made WebSocket upgrade, frames encoded
and masked once and copied per send with the seq / packet id / time patched in; MQTT packets
generated once by \`mqtt-packet\`). Every server runs in its own process; server CPU is that
process's user + system time (/proc) over the measured window divided by the messages acked in
it; PostgreSQL CPU is the cluster's processes alike. Messages: native JSON \`telemetry\` with
one sample (ack after the COMMIT of its batch); MQTT 3.1.1 QoS 1 PUBLISH of the same sample to
\`doppel/<tenant>/<device>/telemetry\` (PUBACK; Doppel after COMMIT, the brokers with no
subscriber and no persistence); OCPP 1.6 Heartbeat CALLs after an accepted BootNotification,
one outstanding CALL per station as OCPP requires (Doppel validates every CALL and answer
against the official schemas; Heartbeat writes nothing to the twin). ${
        profile === 'dev'
          ? `PostgreSQL is the scratch
cluster of the test suite: **fsync and synchronous_commit are off**, so a COMMIT costs no disk
flush here.`
          : `PostgreSQL is the cluster
profile's (scratch): **fsync and synchronous_commit on**, so every COMMIT waits for its WAL flush.`
      } On this 2-core machine the load generator, the server and PostgreSQL share the
cores: msg/s is a property of the whole machine, *msg/s per server core* (= 1 / server CPU per
message) is the figure that carries to a bigger one.

### Native JSON

${groupTable('json')}

${ratioHead}
${ratioRow('Doppel JSON', 'ws peer (same zod + INSERT)')}
${ratioRow('Doppel JSON', 'uWS echo (no work)')}
${ratioRow(ALARM_SYSTEM, 'Doppel JSON', 0.9, 'cpu')}

*${ALARM_SYSTEM}*: the same gateway and traffic, the devices in a tenant with 1,000 alarm rules
(10 for their model: 9 calm, 1 breaching on every sample and raised once; 990 for other
models). Target (issue 19): alarm evaluation adds ≤ 10 % gateway CPU per message — the
CPU-per-message ratio above ≥ 0.9×. An alarm commits in the transaction of the sample that
decides it, so its raise latency is that sample's device-to-COMMIT latency (latency table).

Target: native JSON ingest ≥ 100,000 msg/s per core. Measured: ${fmt(perCore)} msg/s per gateway
core (${jsonCpu.toFixed(2)} µs of gateway CPU per message, PostgreSQL's share not included) —
**${perCore >= 100_000 ? 'met' : 'not met'}**.

### MQTT

${groupTable('mqtt')}

${ratioHead}
${ratioRow('Doppel MQTT over WS', 'Mosquitto TCP', 1)}
${ratioRow('Doppel MQTT over WS', 'Mosquitto WS (beside TCP)')}
${ratioRow('Doppel MQTT over WS', 'aedes WS', 3)}
${ratioRow('Doppel MQTT over WS', 'aedes TCP')}

Targets: MQTT over WebSocket ≥ Mosquitto over TCP, and ≥ 3× aedes (both stated in the ratio
table). Mosquitto's WebSocket row is its WebSocket listener running beside its TCP listener
(Mosquitto offers WebSocket only so).

### OCPP-J 1.6

${groupTable('ocpp')}

${ratioHead}
${ratioRow('Doppel OCPP 1.6 (schema-validated)', 'ocpp-rpc strictMode', 2.5)}

Target: OCPP with full schema validation ≥ 2.5× ocpp-rpc (strict mode).

## Gateway ingest: ack latency under open-loop load

Command, machine as above. Each system is driven open loop at ${cfg.levels.map((l) => `${l * 100} %`).join(', ')} of
its own median maximum from the table above, one run of ${cfg.durationMs / 1000} s each. Message *k* is
due at *start + k / rate*; latency is counted from the due time to the ack (so a server that
falls behind, or a generator that is late, shows up: no coordinated omission). A timer sends
what is due every millisecond, so up to ~1 ms of every figure is the generator's own
lateness, shown in its own column. Doppel JSON device → PostgreSQL: from the sample's \`at\`
(= its due send time) to \`received_at\` (= \`now()\` of the inserting transaction): a **lower
bound** of device-to-COMMIT; the ack, sent after COMMIT, gives the upper bound. (An exact commit
time needs \`track_commit_timestamp\`, off in the scratch cluster.)

| system | load | offered msg/s | acked msg/s | ack ms p50 / p99 / p99.9 | generator lateness ms p50 / p99 | device → transaction ms p50 / p99 / p99.9 | errors |
|---|---|---|---|---|---|---|---|
${latRows.join('\n')}

Targets at 50 % load: ack p99 ≤ 2 ms — Doppel JSON measured ${ackP99.toFixed(2)} ms,
**${ackP99 <= 2 ? 'met' : 'not met'}**; device-to-COMMIT p99 ≤ 25 ms — bounded above by the ack p99
(${ackP99.toFixed(2)} ms): **${ackP99 <= 25 ? 'met' : 'not met'}**.

## Where the gateway spends its CPU (V8 profile under saturating load)

${profiles.map((p) => `${p.s.name} (self time, top frames):\n\n${p.top}`).join('\n\n')}

${figuresLine({
  section: 'ingest',
  profile,
  quick,
  figures: [
    ...(['Doppel JSON', 'Doppel MQTT over WS', 'Doppel OCPP 1.6 (schema-validated)'] as const).map(
      (name) => ({
        key: `${name.split(' ')[1]!.toLowerCase()}-per-s`,
        label: `${name} ingest, msg/s`,
        value: Math.round(median(samples.get(name)!.map((x) => x.perSecond))),
        better: 'higher' as const,
      }),
    ),
    {
      key: 'json-per-core',
      label: 'Doppel JSON msg/s per gateway core',
      value: Math.round(perCore),
      better: 'higher',
    },
    ...(Number.isFinite(ackP99)
      ? [
          {
            key: 'json-ack-p99-50',
            label: 'Doppel JSON ack p99 at 50 % load, ms',
            value: Number(ackP99.toFixed(2)),
            better: 'lower' as const,
          },
        ]
      : []),
  ],
})}`;
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}

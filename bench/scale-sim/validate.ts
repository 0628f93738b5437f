import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { currentSection, figuresOf, sectionName } from '../report';
import { BENCH_SECTIONS } from '../summary';
import { Fleet } from './fleet';
import type { Inputs } from './inputs';
import { runRollout, runStorm } from './scenarios';
import { Simulation } from './simulation';

export interface ValidationRow {
  what: string;
  devices: number;
  model: number;
  /** The measured figure's key, `<section>@<profile>:<key>`, to look up. */
  measuredKey: string;
}

/**
 * The inputs as the benchmarks ran on the dev profile: PostgreSQL without fsync, the Temporal
 * dev server (one process, one history shard), devices seeded active (a reconnect tells no
 * twin) and rollout devices that all download for the same 2 s.
 */
export const benchInputs = (inputs: Inputs): Inputs => ({
  ...inputs,
  'pg.commitFlushMs': 0,
  'temporal.eventsPerShardPerS': inputs['temporal.devEventsPerS'],
  'device.connectNoticeShare': 0,
  'rollout.answerSigma': 0,
});

/**
 * The model as the benchmarks ran on this machine: the new design (the only one the model
 * has), every process on its shared cores, the dev server's one shard, one worker.
 */
export function benchFleet(inputs: Inputs, devices: number, gateways: number, seed: number) {
  return new Fleet(new Simulation(seed), benchInputs(inputs), {
    devices,
    sharedCores: inputs['machine.cores'],
    deployment: { gateways, shards: 1, historyNodes: 1, workers: 1, pgCores: 1 },
  });
}

/**
 * The connections benchmark's fleet (bench/connections/index.ts): at least 5 gateways of at
 * most `gateway.maxConnections` devices, and the storm kills gateways in order until they
 * held at least min(50,000, half the fleet).
 */
export function connectionsBenchFleet(inputs: Inputs, devices: number) {
  const gateways = Math.max(5, Math.ceil(devices / inputs['gateway.maxConnections']));
  const perGateway = Math.ceil(devices / gateways);
  const shareOf = (g: number) => Math.max(0, Math.min(perGateway, devices - g * perGateway));
  let killed = 0;
  let stormDevices = 0;
  while (stormDevices < Math.min(50_000, Math.ceil(devices / 2))) stormDevices += shareOf(killed++);
  return { gateways, killed, stormDevices };
}

/** Devices of the connections benchmark (dev profile, re-measured 2026-12-05). */
export const CONNECTIONS_BENCH_DEVICES = 100_000;

export function validationRows(inputs: Inputs, seed: number, quick: boolean): ValidationRow[] {
  const rows: ValidationRow[] = [];
  const n = CONNECTIONS_BENCH_DEVICES;
  const bench = connectionsBenchFleet(inputs, n);
  const storm = runStorm(benchFleet(inputs, n, bench.gateways, seed), bench.killed, {
    reporting: false,
  });
  rows.push(
    {
      what: `reconnect storm (${bench.killed} of ${bench.gateways} gateways killed): all back after s`,
      devices: storm.devices,
      model: storm.allBackS,
      measuredKey: `connections@dev:storm-back-s-${bench.stormDevices}`,
    },
    {
      what: `reconnect storm (${bench.killed} of ${bench.gateways} gateways killed): twins converged after s`,
      devices: storm.devices,
      model: storm.twinsToldS,
      measuredKey: `connections@dev:storm-converged-s-${bench.stormDevices}`,
    },
  );
  // bench/rollout.ts: one gateway process, canary 10, waves 100 ×2 up to 2,000, 500 at once.
  for (const devices of quick ? [1_000] : [1_000, 10_000]) {
    const rollout = runRollout(benchFleet(inputs, devices, 1, seed), {
      wavesMaximum: inputs['rollout.wavesMaximum'],
      maxConcurrency: inputs['rollout.maxConcurrency'],
    });
    rows.push({
      what: 'rollout (waves ≤ 2,000, maxConcurrency 500): wall s',
      devices,
      model: rollout.wallS,
      measuredKey: `rollout@dev:wall-s-${devices}`,
    });
  }
  return rows;
}

export interface Measured {
  value: number;
  date: string;
}

/** A rollout table row: `| 10,000 | 2026-12-05 | completed | … |` (devices, date measured). */
const ROLLOUT_ROW = /^\| ([\d,]+) \| (\d{4}-\d\d-\d\d) \|/;

/**
 * The rollout section keeps rows of sizes it did not run now (the 10,000-device row is run on
 * its own), but its figures line holds only what it ran: the wall s of every row, by its date.
 */
export function rolloutRows(section: string): Map<string, Measured> {
  const out = new Map<string, Measured>();
  const lines = section.split('\n');
  const header = lines.find((l) => l.startsWith('| devices |'));
  const column = header?.split('|').findIndex((c) => c.trim() === 'wall s') ?? -1;
  if (column < 0) return out;
  for (const line of lines) {
    const m = ROLLOUT_ROW.exec(line);
    const value = Number(line.split('|')[column]);
    if (m && Number.isFinite(value))
      out.set(`wall-s-${m[1]!.replaceAll(',', '')}`, { value, date: m[2]! });
  }
  return out;
}

/**
 * Every headline figure, as `<section>@<profile>:<key>`: the figures lines of BENCHMARKS.md
 * (committed, so a fresh checkout validates against them) and the rows the rollout section
 * keeps, overridden by bench/results/*.json (this machine's latest runs, not committed).
 */
export function readMeasured(dir = new URL('../results/', import.meta.url)): Map<string, Measured> {
  const out = new Map<string, Measured>();
  for (const { name } of BENCH_SECTIONS)
    for (const profile of ['dev', 'cluster'] as const) {
      const text = currentSection(sectionName(name, profile));
      if (name === 'rollout')
        for (const [key, m] of rolloutRows(text)) out.set(`${name}@${profile}:${key}`, m);
      const record = figuresOf(text);
      for (const f of record?.figures ?? [])
        out.set(`${name}@${profile}:${f.key}`, { value: f.value, date: record!.date });
    }
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const record = JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as {
      date: string;
      figures: { key: string; value: number }[];
    };
    for (const f of record.figures)
      out.set(`${name.slice(0, -'.json'.length)}:${f.key}`, { value: f.value, date: record.date });
  }
  return out;
}

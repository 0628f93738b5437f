import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { currentSection, figuresOf, sectionName } from '../report';
import { BENCH_SECTIONS } from '../summary';
import { Fleet, type Design } from './fleet';
import type { Inputs } from './inputs';
import { runRollout, runStorm } from './scenarios';
import { Simulation } from './simulation';

export interface ValidationRow {
  what: string;
  devices: number;
  model: number;
  /** The measured figure's key in bench/results/<file>, to look up. */
  measuredKey: string;
}

/**
 * The model as the benchmarks ran: today's code (`previous` design), every process on this
 * machine's shared cores, 16 history shards, the bench's gateways (≤ 16,000 devices each).
 */
function benchFleet(inputs: Inputs, devices: number, seed: number, design: Design = 'previous') {
  return new Fleet(new Simulation(seed), inputs, {
    devices,
    design,
    sharedCores: inputs['machine.cores'],
    deployment: {
      gateways: Math.ceil(devices / inputs['gateway.maxConnections']),
      shards: 16,
      historyNodes: 1,
      workers: 1,
      pgCores: 1,
    },
  });
}

export function validationRows(inputs: Inputs, seed: number, quick: boolean): ValidationRow[] {
  const rows: ValidationRow[] = [];
  for (const devices of quick ? [10_000] : [10_000, 100_000]) {
    const storm = runStorm(benchFleet(inputs, devices, seed), Infinity, { reporting: false });
    rows.push(
      {
        what: 'reconnect storm: all back after s',
        devices,
        model: storm.allBackS,
        measuredKey: `connections@cluster:storm-back-s-${devices}`,
      },
      {
        what: 'reconnect storm: twins told after s',
        devices,
        model: storm.twinsToldS,
        measuredKey: `connections@cluster:storm-told-s-${devices}`,
      },
    );
  }
  for (const devices of quick ? [1_000] : [1_000, 10_000, 100_000]) {
    const rollout = runRollout(benchFleet(inputs, devices, seed));
    rows.push({
      what: 'rollout: wall s',
      devices,
      model: rollout.wallS,
      measuredKey: `rollout@cluster:wall-s-${devices}`,
    });
  }
  return rows;
}

export interface Measured {
  value: number;
  date: string;
}

/**
 * Every headline figure, as `<section>@<profile>:<key>`: the figures lines of BENCHMARKS.md
 * (committed, so a fresh checkout validates against them), overridden by bench/results/*.json
 * (this machine's latest runs, not committed).
 */
export function readMeasured(dir = new URL('../results/', import.meta.url)): Map<string, Measured> {
  const out = new Map<string, Measured>();
  for (const { name } of BENCH_SECTIONS)
    for (const profile of ['dev', 'cluster'] as const) {
      const record = figuresOf(currentSection(sectionName(name, profile)));
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

import { readFileSync, writeFileSync } from 'node:fs';
import type { InputFigures } from './inputs';
import type { ScaleResult } from './simulate-scale';
import type { Measured } from './validate';

export const SCALING_FILE = new URL('../../docs/scaling.md', import.meta.url);
export const START = '<!-- scale-sim:start -->';
export const END = '<!-- scale-sim:end -->';

const n = (x: number, digits = 0) =>
  Number.isFinite(x)
    ? x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'did not finish';
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const duration = (s: number) =>
  !Number.isFinite(s)
    ? 'did not finish'
    : s < 600
      ? `${n(s, 1)} s`
      : `${n(s / 3600, 2)} h (${n(s)} s)`;

/** The markdown the simulation writes between the markers of docs/scaling.md. */
export function scaleMarkdown(
  r: ScaleResult,
  figures: InputFigures,
  measured: Map<string, Measured>,
  run: { command: string; date: string; seconds: number },
): string {
  const d = r.sizing.deployment;
  const b = r.sizing.steady.busiest;
  const s = r.sizing.steady;
  const lines = [
    START,
    `Written by \`${run.command}\` on ${run.date} in ${n(run.seconds)} s (seed ${r.seed}). A model, not a measurement: it is as good as the inputs below, and the validation table says how far it is from the runs it can be checked against.`,
    '',
    `#### ${n(r.devices)} devices: the fewest processes that keep every queue below 0.7 utilisation (steady reporting)`,
    '',
    '| resource | count | busiest member, utilisation | what bounds it |',
    '|---|---|---|---|',
    `| gateway processes | ${d.gateways} | ${pct(b.gateway.utilisation)} CPU | ${n(figures['gateway.maxConnections'].value)} connections each (${n(((r.devices / d.gateways) * figures['gateway.kibPerConnection'].value) / 1024)} MiB of connections each) |`,
    `| PostgreSQL cores (one primary) | ${d.pgCores} | ${pct(b.pg.utilisation)} | ${n(s.commitsPerS)} commits/s, ${n(s.rowsPerCommit, 1)} rows per commit, ${n(s.walMiBPerS, 1)} MiB/s of WAL |`,
    `| Temporal history shards | ${d.shards} | ${pct(b.shard.utilisation)} | ${n(s.noticesPerS, 1)} notices/s × ${figures['temporal.eventsPerNotice'].value} events |`,
    `| Temporal history nodes (${figures['temporal.coresPerHistoryNode'].value} cores each) | ${d.historyNodes} | ${pct(b.historyNode.utilisation)} | |`,
    `| worker processes | ${d.workers} | CPU ${pct(b.workerCpu.utilisation)}, drainer ${pct(s.drainerUtilisation)}, workflow-task slots ${pct(b.wft.utilisation)}, activity slots ${pct(b.activity.utilisation)} | ${figures['notices.ratePerWorker'].value} notices/s per worker, ${figures['worker.cpuMsPerNotice'].value} ms of CPU per notice |`,
    '',
    `Report ack p50 / p99: ${n(s.ackMsP50, 1)} / ${n(s.ackMsP99, 1)} ms; notice age p99 (waiting + twin commit): ${n(s.noticeAgeMsP99)} ms. Found in ${r.sizing.runs} simulated steady run(s) from the analytic counts.`,
    '',
    '#### Reconnect storm and rollout with those processes',
    '',
    '| scenario | devices | all back after | twins told after | attempts (refused) | notices waiting at most |',
    '|---|---|---|---|---|---|',
    ...r.storms.map(
      (t) =>
        `| SIGKILL of ${t.killed} of ${d.gateways} gateway(s) | ${n(t.devices)} | ${duration(t.allBackS)} | ${duration(t.twinsToldS)} | ${n(t.attempts)} (${n(t.refused)}) | ${n(t.peakNoticesWaiting)} |`,
    ),
    '',
    '| rollout (fleet-wide) | devices | waves | wall time | devices/s | busiest resource | bounded by |',
    '|---|---|---|---|---|---|---|',
    ...r.rollouts.map(
      (o) =>
        `| waves ≤ ${n(o.wavesMaximum)}, maxConcurrency ${n(o.maxConcurrency)} | ${n(o.devices)} | ${o.waves} | ${duration(o.wallS)} | ${n(o.devices / o.wallS, 1)} | ${o.busiest.name}, ${pct(o.busiest.utilisation)} | ${o.boundBy} |`,
    ),
  ];
  if (r.validation.length) {
    lines.push(
      '',
      "#### Validation: the model as the benchmarks ran (the new design on the dev profile: everything on this machine's 2 shared cores, the Temporal dev server's one shard, PostgreSQL without fsync)",
      '',
      '| figure | devices | model | measured (BENCHMARKS.md figures lines and rollout rows; bench/results when newer runs are there) | error |',
      '|---|---|---|---|---|',
      ...r.validation.map((v) => {
        const m = measured.get(v.measuredKey);
        const err = m ? `${((100 * (v.model - m.value)) / m.value).toFixed(0)} %` : '—';
        return `| ${v.what} | ${n(v.devices)} | ${n(v.model, 1)} | ${m ? `${n(m.value, 1)} (${m.date})` : `not measured (\`${v.measuredKey}\`)`} | ${err} |`;
      }),
    );
  }
  lines.push(
    '',
    '#### Inputs (bench/scale-sim/inputs.json)',
    '',
    '| figure | value | unit | basis | from |',
    '|---|---|---|---|---|',
    ...Object.entries(figures).map(
      ([k, f]) => `| ${k} | ${f.value} | ${f.unit} | ${f.basis} | ${f.source} (${f.date}) |`,
    ),
    END,
  );
  return lines.join('\n');
}

/** Replaces what is between the markers of docs/scaling.md (appends them the first time). */
export function writeIntoScaling(markdown: string, file: URL = SCALING_FILE): void {
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  writeFileSync(
    file,
    from >= 0 && to > from
      ? text.slice(0, from) + markdown + text.slice(to + END.length)
      : `${text.trimEnd()}\n\n${markdown}\n`,
  );
}

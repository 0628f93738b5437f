import { waveSizes } from '../../twins/rollout/plan';
import type { Fleet } from './fleet';
import type { StationStats } from './station';

/**
 * Steady reporting: every device reports every `device.reportIntervalS`. Per gateway the
 * reports of its devices arrive as one Poisson stream (the superposition of many periodic
 * devices with random phases), each from a device drawn at random; a device that is not
 * connected (`connected[d]` = 0) sends nothing.
 */
export function startReporting(fleet: Fleet, connected?: Uint8Array): void {
  const { sim, inputs } = fleet;
  const gateways = fleet.gatewayCpu.length;
  const devices = fleet.options.devices;
  for (let g = 0; g < gateways; g++) {
    const count = Math.floor((devices - g - 1) / gateways) + 1;
    if (count <= 0) continue;
    const meanGapS = inputs['device.reportIntervalS'] / count;
    const next = () => {
      const device = g + gateways * Math.floor(sim.rng.next() * count);
      if (!connected || connected[device]) report(fleet, device);
      sim.after(sim.rng.exponential(meanGapS), next);
    };
    sim.after(sim.rng.exponential(meanGapS), next);
  }
}

function report(fleet: Fleet, device: number): void {
  const { sim, inputs } = fleet;
  const sent = sim.now;
  fleet.gatewayWork(device, inputs['gateway.cpuUsPerMessage'], () =>
    fleet.ingest(device, () => {
      fleet.ackLatency.recordValue(Math.max(1, Math.round((sim.now - sent) * 1e6)));
      if (sim.rng.chance(inputs['device.lifecycleShare'])) fleet.notice(device);
    }),
  );
}

export interface SteadyResult {
  busiest: ReturnType<Fleet['busiest']>;
  /** Notices sent ÷ what the drainers may send (workers × rate). */
  drainerUtilisation: number;
  ackMsP50: number;
  ackMsP99: number;
  noticeAgeMsP99: number;
  noticesPerS: number;
  commitsPerS: number;
  rowsPerCommit: number;
  walMiBPerS: number;
  noticesWaitingEnd: number;
}

export function runSteady(fleet: Fleet, warmupS: number, measureS: number): SteadyResult {
  const { sim, inputs } = fleet;
  startReporting(fleet);
  sim.run(warmupS);
  fleet.reset();
  sim.run(warmupS + measureS);
  const workers = fleet.drainers.length;
  return {
    busiest: fleet.busiest(),
    drainerUtilisation: fleet.noticesDone / measureS / (workers * inputs['notices.ratePerWorker']),
    ackMsP50: fleet.ackLatency.getValueAtPercentile(50) / 1000,
    ackMsP99: fleet.ackLatency.getValueAtPercentile(99) / 1000,
    noticeAgeMsP99: fleet.noticeAge.getValueAtPercentile(99),
    noticesPerS: fleet.noticesDone / measureS,
    commitsPerS: fleet.pgCommits / measureS,
    rowsPerCommit: fleet.pgCommits ? fleet.pgRows / fleet.pgCommits : 0,
    walMiBPerS: (fleet.pgRows * inputs['pg.walBytesPerRow']) / measureS / 2 ** 20,
    noticesWaitingEnd: fleet.noticesWaiting,
  };
}

/** Stretches every station by what steady reporting leaves of it (for scenarios of hours). */
export function leaveForBackground(fleet: Fleet, steady: SteadyResult): void {
  const left = (s: StationStats) => Math.max(0.05, 1 - s.utilisation);
  const b = steady.busiest;
  for (const s of fleet.gatewayCpu) s.speed = left(b.gateway);
  fleet.pg.speed = left(b.pg);
  for (const s of fleet.shards) s.speed = left(b.shard);
  for (const s of fleet.historyNodes) s.speed = left(b.historyNode);
  fleet.wftSlots.speed = left(b.wft);
  fleet.activitySlots.speed = left(b.activity);
}

export interface StormResult {
  devices: number;
  killed: number;
  allBackS: number;
  twinsToldS: number;
  attempts: number;
  refused: number;
  peakNoticesWaiting: number;
}

/**
 * A reconnect storm: `killed` gateway processes die (SIGKILL) at once and come back after
 * `gateway.restartS`; their devices reconnect at once and, while refused, wait the
 * Retry-After plus a jittered exponential back-off (as bench/connections/clients.ts does).
 * Times are from the gateways listening again, as the benchmark times them.
 */
export function runStorm(
  fleet: Fleet,
  killed: number,
  opts: { reporting: boolean; horizonS?: number },
): StormResult {
  const { sim, inputs } = fleet;
  const devices = fleet.options.devices;
  const connected = new Uint8Array(devices).fill(1);
  if (opts.reporting) startReporting(fleet, connected);
  const killAt = sim.now + (opts.reporting ? 10 : 0);
  const listening = killAt + inputs['gateway.restartS'];
  const affected: number[] = [];
  for (let d = 0; d < devices; d++) if (fleet.gatewayOf(d) < killed) affected.push(d);
  let back = 0;
  let lastBack = listening;
  let told = 0;
  let lastTold = listening;
  let toBeTold = 0;
  let attempts = 0;
  let refused = 0;
  let peak = 0;
  const waitingTwin = new Uint8Array(devices);
  fleet.onTwinCommitted = (d) => {
    if (!waitingTwin[d]) return;
    waitingTwin[d] = 0;
    told++;
    lastTold = sim.now;
  };
  const backOff = (n: number) =>
    sim.rng.next() *
    Math.min(inputs['gateway.backoffMaxS'], inputs['gateway.backoffBaseS'] * 2 ** (n - 1));
  const isBack = (d: number) => {
    connected[d] = 1;
    back++;
    lastBack = sim.now;
  };
  const attempt = (d: number, failures: number) => {
    attempts++;
    const g = fleet.gatewayOf(d);
    if (!fleet.admission[g]!.take()) {
      refused++;
      fleet.gatewayWork(d, inputs['gateway.cpuUsPerRefusal'], () => {});
      const wait = inputs['gateway.retryAfterS'] + backOff(failures + 1);
      return sim.after(wait, () => attempt(d, failures + 1));
    }
    fleet.gatewayWork(d, inputs['gateway.cpuUsPerConnect'], () => {
      if (fleet.options.design === 'previous') {
        // Welcomed once its connect is queued for the twin; the twin hears of it by signal.
        isBack(d);
        toBeTold++;
        fleet.temporal(fleet.shardOf(d), inputs['previous.eventsPerConnect'], () => {
          told++;
          lastTold = sim.now;
        });
      } else {
        fleet.ingest(d, () => {
          isBack(d);
          if (sim.rng.chance(inputs['device.connectNoticeShare'])) {
            toBeTold++;
            waitingTwin[d] = 1;
            fleet.notice(d);
          }
        });
      }
    });
  };
  sim.at(killAt, () => {
    for (const d of affected) {
      connected[d] = 0;
      // Attempts while the gateway is down find nothing listening and cost nothing simulated:
      // they are counted and their back-offs drawn here; the first at or after listening is
      // the device's first event.
      let at = killAt;
      let failures = 0;
      while (at < listening) {
        attempts++;
        failures++;
        at += backOff(failures);
      }
      sim.at(at, () => attempt(d, failures));
    }
  });
  const sample = () => {
    peak = Math.max(peak, fleet.noticesWaiting);
    if (back < affected.length || told < toBeTold) sim.after(0.5, sample);
  };
  sim.at(killAt, sample);
  sim.run(
    killAt + (opts.horizonS ?? 7_200),
    () => sim.now > killAt && back === affected.length && told === toBeTold,
  );
  fleet.onTwinCommitted = undefined;
  return {
    devices: affected.length,
    killed,
    allBackS: back === affected.length ? lastBack - listening : Infinity,
    twinsToldS: told === toBeTold ? Math.max(lastTold, lastBack) - listening : Infinity,
    attempts,
    refused,
    peakNoticesWaiting: peak,
  };
}

export interface RolloutResult {
  devices: number;
  maxConcurrency: number;
  waves: number;
  wallS: number;
}

/**
 * A fleet-wide firmware rollout as workflows/rollout runs it: the canary, then waves
 * (twins/rollout/plan.ts `waveSizes`), one after the other; within a wave at most
 * `maxConcurrency` devices updating, started in batches of `rollout.commandBatch`, and the
 * wave looks at the records of the devices in flight every poll interval. A device answers
 * after a lognormal time, reboots (disconnect, connect, report of the new version through
 * ingest) and counts once the wave's look finds the new version in its record.
 */
export function runRollout(
  fleet: Fleet,
  opts: { maxConcurrency?: number; horizonS?: number } = {},
): RolloutResult {
  const { sim, inputs } = fleet;
  const devices = fleet.options.devices;
  const maxConcurrency = opts.maxConcurrency ?? inputs['rollout.maxConcurrency'];
  const canary = Math.min(devices, inputs['rollout.canary']);
  const sizes = [
    canary,
    ...waveSizes(devices - canary, {
      mode: 'exponential',
      base: inputs['rollout.wavesBase'],
      factor: inputs['rollout.wavesFactor'],
      maximum: inputs['rollout.wavesMaximum'],
    }),
  ];
  const pollS = Math.min(10, Math.max(1, inputs['rollout.timeoutS'] / 30));
  const updated = new Uint8Array(devices);
  const started = sim.now;
  let finished = -1;

  const deliver = (d: number) =>
    fleet.gatewayWork(d, inputs['gateway.cpuUsPerMessage'], () =>
      sim.after(sim.lognormal(inputs['rollout.answerMedianS'], inputs['rollout.answerSigma']), () =>
        fleet.gatewayWork(d, inputs['gateway.cpuUsPerConnect'], () => {
          // The reboot: disconnect, connect and the report of the new version, one batch each.
          let left = 3;
          const one = () => {
            if (--left > 0) return;
            updated[d] = 1;
            if (fleet.options.design === 'new') fleet.notice(d);
          };
          for (let i = 0; i < 3; i++) fleet.ingest(d, one);
        }),
      ),
    );

  const command = (ids: number[], waveShard: number) => {
    if (fleet.options.design === 'previous') {
      // Every device costs its twin about ten workflow tasks, on the twin's shard.
      for (const d of ids)
        fleet.temporal(fleet.shardOf(d), inputs['previous.eventsPerRolloutDevice'], () =>
          fleet.wftSlots.submit((10 * inputs['worker.wftSlotMs']) / 1000, () => deliver(d)),
        );
      return;
    }
    const byGateway = new Map<number, number[]>();
    for (const d of ids) {
      const g = fleet.gatewayOf(d);
      byGateway.set(g, [...(byGateway.get(g) ?? []), d]);
    }
    for (const group of byGateway.values())
      fleet.temporal(waveShard, inputs['temporal.eventsPerCommandBatch'], () =>
        fleet.activitySlots.submit(inputs['worker.activitySlotMs'] / 1000, () => {
          for (const d of group) deliver(d);
        }),
      );
  };

  const runWave = (wave: number, from: number) => {
    if (wave === sizes.length) {
      finished = sim.now;
      return;
    }
    const end = from + sizes[wave]!;
    const waveShard = fleet.shardOf(devices + wave);
    let next = from;
    let inFlight: number[] = [];
    const startMore = () => {
      while (next < end && inFlight.length < maxConcurrency) {
        const n = Math.min(
          inputs['rollout.commandBatch'],
          maxConcurrency - inFlight.length,
          end - next,
        );
        const ids = Array.from({ length: n }, (_, i) => next + i);
        next += n;
        inFlight.push(...ids);
        command(ids, waveShard);
      }
    };
    const look = () =>
      fleet.transaction(inFlight.length, () =>
        fleet.temporal(waveShard, inputs['temporal.eventsPerCommandBatch'], () => {
          inFlight = inFlight.filter((d) => !updated[d]);
          startMore();
          if (next === end && inFlight.length === 0) runWave(wave + 1, end);
          else sim.after(pollS, look);
        }),
      );
    startMore();
    sim.after(pollS, look);
  };
  runWave(0, 0);
  sim.run(started + (opts.horizonS ?? 30 * 86_400), () => finished >= 0);
  return {
    devices,
    maxConcurrency,
    waves: sizes.length,
    wallS: finished >= 0 ? finished - started : Infinity,
  };
}

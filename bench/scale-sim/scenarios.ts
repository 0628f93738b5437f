import { waveSizes } from '../../twins/rollout/plan';
import type { Fleet } from './fleet';
import type { StationStats } from './station';

const n = (x: number) => x.toLocaleString('en', { maximumFractionDigits: 0 });

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
  for (const s of fleet.workerCpu) s.speed = left(b.workerCpu);
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
    fleet.connect(d, () => {
      isBack(d);
      if (sim.rng.chance(inputs['device.connectNoticeShare'])) {
        toBeTold++;
        waitingTwin[d] = 1;
        fleet.notice(d);
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

export interface RolloutConfig {
  /** Devices per wave at most (the canary first, then exponential waves up to this). */
  wavesMaximum: number;
  maxConcurrency: number;
}

export interface RolloutResult extends RolloutConfig {
  devices: number;
  waves: number;
  wallS: number;
  /** Mean devices in flight ÷ maxConcurrency over the rollout. */
  concurrencyUse: number;
  /** The busiest resource over the rollout and its utilisation. */
  busiest: { name: string; utilisation: number };
  /** Where the waves' time went (they run one after the other, so these add up to the wall). */
  phases: { commanding: number; looking: number; waiting: number };
  /** What bounds the wall time, in words. */
  boundBy: string;
}

/**
 * A fleet-wide firmware rollout as workflows/rollout runs it with bulk delivery: the canary,
 * then waves (twins/rollout/plan.ts `waveSizes`), one after the other, each a child workflow on
 * a shard of its own. A wave commands its devices in batches of up to `rollout.bulkBatch`
 * (one workflow task: a local activity reads and records the batch — one PostgreSQL
 * transaction — then one `deliverCommandBatch` activity per gateway node holding some of them,
 * run by that gateway; the wave waits for them), keeping at most `maxConcurrency` in flight.
 * Every `rollout.pollS` it looks at the devices in flight (a timer, a workflow task, one read),
 * counts those whose record shows the new version and commands more. A device answers after
 * a lognormal time and reboots: a connect and the report of its new version through ingest
 * (with its disconnect, one batch each), the twin told by a notice (a lifecycle-relevant
 * change); the rollout's parent workflow takes a task per wave.
 */
export function runRollout(
  fleet: Fleet,
  config: Partial<RolloutConfig> & { horizonS?: number } = {},
): RolloutResult {
  const { sim, inputs } = fleet;
  const devices = fleet.options.devices;
  const maxConcurrency = config.maxConcurrency ?? inputs['rollout.maxConcurrency'];
  const wavesMaximum = config.wavesMaximum ?? inputs['rollout.wavesMaximum'];
  const canary = Math.min(devices, inputs['rollout.canary']);
  const sizes = [
    canary,
    ...waveSizes(devices - canary, {
      mode: 'exponential',
      base: inputs['rollout.wavesBase'],
      factor: inputs['rollout.wavesFactor'],
      maximum: wavesMaximum,
    }),
  ];
  const pollS = inputs['rollout.pollS'];
  const updated = new Uint8Array(devices);
  const started = sim.now;
  const rolloutShard = fleet.shardOf(devices + sizes.length);
  let finished = -1;
  let inFlightArea = 0;
  let inFlightNow = 0;
  let inFlightSince = sim.now;
  const phases = { commanding: 0, looking: 0, waiting: 0 };
  const setInFlight = (n: number) => {
    inFlightArea += inFlightNow * (sim.now - inFlightSince);
    inFlightNow = n;
    inFlightSince = sim.now;
  };

  /**
   * The command reaches the device; it downloads, reboots and reports its new version. Its
   * wave's worker is charged what a rollout device costs beyond its twin's notice then.
   */
  const answer = (d: number, wave: number) =>
    sim.after(sim.lognormal(inputs['rollout.answerMedianS'], inputs['rollout.answerSigma']), () => {
      let left = 3;
      const one = () => {
        if (--left > 0) return;
        updated[d] = 1;
        fleet.workerWork(wave, inputs['worker.cpuMsPerRolloutDevice']);
        fleet.notice(d);
      };
      fleet.ingest(d, one); // the disconnect
      fleet.connect(d, () => {
        one();
        fleet.gatewayWork(d, inputs['gateway.cpuUsPerMessage'], () => fleet.ingest(d, one));
      });
    });

  /** One `deliverCommandBatch` per gateway node, run by the gateway; `done` when all are. */
  const deliver = (ids: number[], wave: number, waveShard: number, done: () => void) => {
    const byGateway = new Map<number, number[]>();
    for (const d of ids) {
      const g = fleet.gatewayOf(d);
      const group = byGateway.get(g);
      if (group) group.push(d);
      else byGateway.set(g, [d]);
    }
    let left = byGateway.size;
    for (const [g, group] of byGateway)
      fleet.temporal(waveShard, inputs['temporal.eventsPerCommandBatch'], () =>
        fleet.gatewayCpu[g]!.submit(
          (group.length * inputs['gateway.cpuUsPerMessage']) / 1e6,
          () => {
            for (const d of group) answer(d, wave);
            if (--left === 0) done();
          },
        ),
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
    /** Commands batches until `maxConcurrency` are in flight, then sleeps until the look. */
    const startMore = () => {
      if (next >= end || inFlight.length >= maxConcurrency) {
        sim.after(pollS, look);
        return;
      }
      const n = Math.min(inputs['rollout.bulkBatch'], maxConcurrency - inFlight.length, end - next);
      const ids = Array.from({ length: n }, (_, i) => next + i);
      next += n;
      inFlight.push(...ids);
      setInFlight(inFlightNow + n);
      const t0 = sim.now;
      fleet.workflowTask(waveShard, wave, () =>
        fleet.transaction(n, () =>
          deliver(ids, wave, waveShard, () => {
            phases.commanding += sim.now - t0;
            startMore();
          }),
        ),
      );
    };
    const look = () => {
      phases.waiting += pollS;
      const t0 = sim.now;
      fleet.workflowTask(waveShard, wave, () =>
        fleet.transaction(inFlight.length, () => {
          const before = inFlight.length;
          inFlight = inFlight.filter((d) => !updated[d]);
          setInFlight(inFlightNow - (before - inFlight.length));
          if (next === end && inFlight.length === 0)
            fleet.workflowTask(rolloutShard, 0, () => {
              phases.looking += sim.now - t0;
              runWave(wave + 1, end);
            });
          else {
            phases.looking += sim.now - t0;
            startMore();
          }
        }),
      );
    };
    const t0 = sim.now;
    fleet.workflowTask(rolloutShard, 0, () => {
      phases.looking += sim.now - t0;
      startMore();
    });
  };
  fleet.reset();
  runWave(0, 0);
  sim.run(started + (config.horizonS ?? 30 * 86_400), () => finished >= 0);
  setInFlight(0);
  const wallS = finished >= 0 ? finished - started : Infinity;
  const stats = fleet
    .stations()
    .filter((s) => s.name !== 'workflow-task slots' && s.name !== 'activity slots')
    .map((s) => s.stats());
  const busiest = stats.reduce((a, b) => (b.utilisation > a.utilisation ? b : a));
  const concurrencyUse = inFlightArea / wallS / maxConcurrency;
  const share = (x: number) => `${(100 * (x / wallS)).toFixed(0)} %`;
  const inFlightWords = `${(100 * concurrencyUse).toFixed(0)} % of maxConcurrency in flight on average`;
  // A wave runs on one worker at a time (its tasks and local activities): what its devices cost
  // there, at the speed the background leaves, is a floor under the wall time.
  const waveWorkerS =
    (devices * inputs['worker.cpuMsPerRolloutDevice']) / 1000 / fleet.workerCpu[0]!.speed;
  const boundBy =
    waveWorkerS >= 0.7 * wallS
      ? `the wave's worker: ${n(devices)} devices × ${inputs['worker.cpuMsPerRolloutDevice']} ms of CPU on one worker at a time (${(100 * fleet.workerCpu[0]!.speed).toFixed(0)} % of it left by steady reporting) = ${share(waveWorkerS)} of the wall time; ${inFlightWords}`
      : busiest.utilisation >= 0.7
        ? `${busiest.name}: ${(100 * busiest.utilisation).toFixed(0)} % busy over the rollout`
        : phases.commanding >= phases.waiting && phases.commanding >= phases.looking
          ? `commanding: ${share(phases.commanding)} of the wall time the waves wait for their batches' deliveries (one activity per gateway node per batch, its events on the wave's one shard); ${inFlightWords}`
          : phases.waiting >= phases.looking
            ? `the devices: ${share(phases.waiting)} of the wall time the waves sleep between looks (a download and reboot, seen at the next look) over ${sizes.length} waves one after the other; ${inFlightWords}`
            : `looking: ${share(phases.looking)} of the wall time in the waves' looks (a workflow task and a read, queued behind the wave's worker, which carries ${inputs['worker.cpuMsPerRolloutDevice']} ms of CPU per device); ${inFlightWords}`;
  return {
    devices,
    wavesMaximum,
    maxConcurrency,
    waves: sizes.length,
    wallS,
    concurrencyUse,
    busiest: { name: busiest.name, utilisation: busiest.utilisation },
    phases,
    boundBy,
  };
}

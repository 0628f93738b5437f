import { Fleet, type Deployment } from './fleet';
import type { Inputs } from './inputs';
import { runSteady, type SteadyResult } from './scenarios';
import { Simulation } from './simulation';

/** Every queue must stay below this utilisation in steady state. */
export const STABLE_UTILISATION = 0.7;

/**
 * The counts at which each resource's *mean* utilisation is just under the bound (fewer of
 * any would put it at or above): the search's starting point.
 */
export function analyticDeployment(inputs: Inputs, devices: number): Deployment {
  const rho = STABLE_UTILISATION;
  const reportsPerS = devices / inputs['device.reportIntervalS'];
  const noticesPerS = reportsPerS * inputs['device.lifecycleShare'];
  const gateways = Math.max(
    Math.ceil(devices / inputs['gateway.maxConnections']),
    Math.ceil((reportsPerS * inputs['gateway.cpuUsPerMessage']) / 1e6 / rho),
  );
  // Each gateway's writer commits a batch every batchMs + one arrival gap at most.
  const perGateway = reportsPerS / gateways;
  const txPerS =
    gateways *
      Math.min(perGateway, 1 / (inputs['ingest.batchMs'] / 1000 + 1 / Math.max(perGateway, 1e-9))) +
    noticesPerS;
  const pgBusy =
    (txPerS * inputs['pg.txCpuUs'] + (reportsPerS + noticesPerS) * inputs['pg.rowUs']) / 1e6;
  const eventsPerS = noticesPerS * inputs['temporal.eventsPerNotice'];
  const workers = Math.max(
    1,
    Math.ceil(noticesPerS / (rho * inputs['notices.ratePerWorker'])),
    Math.ceil(
      (noticesPerS * inputs['worker.wftSlotMs']) / 1000 / (rho * inputs['worker.wftSlots']),
    ),
    Math.ceil((noticesPerS * inputs['worker.cpuMsPerNotice']) / 1000 / rho),
    Math.ceil(
      (noticesPerS * inputs['worker.activitySlotMs']) /
        1000 /
        (rho * inputs['worker.activitySlots']),
    ),
  );
  const shards = Math.max(1, Math.ceil(eventsPerS / (rho * inputs['temporal.eventsPerShardPerS'])));
  const historyNodes = Math.max(
    1,
    Math.ceil(
      eventsPerS /
        (rho * inputs['temporal.eventsPerCorePerS'] * inputs['temporal.coresPerHistoryNode']),
    ),
    Math.ceil(shards / inputs['temporal.maxShardsPerHistoryNode']),
  );
  return { gateways, shards, historyNodes, workers, pgCores: Math.max(1, Math.ceil(pgBusy / rho)) };
}

export interface Sizing {
  devices: number;
  deployment: Deployment;
  steady: SteadyResult;
  /** Steady runs the search took (the first at the analytic counts). */
  runs: number;
}

/** How many more of a resource a measured utilisation asks for (none when below the bound). */
const grow = (count: number, utilisation: number) =>
  utilisation < STABLE_UTILISATION
    ? count
    : Math.max(count + 1, Math.ceil((count * utilisation) / (STABLE_UTILISATION - 0.05)));

/**
 * The fewest processes that keep every queue below 0.7 utilisation in steady state: starts
 * from the analytic counts and simulates; any resource whose busiest member (a gateway, a
 * shard, a history node — hashing is uneven) is at or above the bound gets more, until a run
 * finds every one below it.
 */
export function searchDeployment(
  inputs: Inputs,
  devices: number,
  opts: { seed: number; warmupS: number; measureS: number; maxRuns?: number },
): Sizing {
  let deployment = analyticDeployment(inputs, devices);
  for (let runs = 1; ; runs++) {
    const fleet = new Fleet(new Simulation(opts.seed), inputs, {
      devices,
      deployment,
    });
    const steady = runSteady(fleet, opts.warmupS, opts.measureS);
    const b = steady.busiest;
    const workerUse = Math.max(
      steady.drainerUtilisation,
      b.workerCpu.utilisation,
      b.wft.utilisation,
      b.activity.utilisation,
    );
    const next: Deployment = {
      gateways: grow(deployment.gateways, b.gateway.utilisation),
      pgCores: grow(deployment.pgCores, b.pg.utilisation),
      shards: grow(deployment.shards, b.shard.utilisation),
      historyNodes: grow(deployment.historyNodes, b.historyNode.utilisation),
      workers: grow(deployment.workers, workerUse),
    };
    next.historyNodes = Math.max(
      next.historyNodes,
      Math.ceil(next.shards / inputs['temporal.maxShardsPerHistoryNode']),
    );
    const same = (Object.keys(next) as (keyof Deployment)[]).every(
      (k) => next[k] === deployment[k],
    );
    if (same || runs >= (opts.maxRuns ?? 8)) return { devices, deployment, steady, runs };
    deployment = next;
  }
}

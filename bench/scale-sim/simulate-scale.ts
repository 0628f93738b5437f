import { Fleet } from './fleet';
import type { Inputs } from './inputs';
import {
  leaveForBackground,
  runRollout,
  runStorm,
  type RolloutResult,
  type StormResult,
} from './scenarios';
import { Simulation } from './simulation';
import { searchDeployment, type Sizing } from './sizing';
import { validationRows, type ValidationRow } from './validate';

export interface ScaleOptions {
  devices: number;
  seed: number;
  /** Shorter steady runs and fewer scenarios: a smoke test. */
  quick: boolean;
  validate: boolean;
}

export interface ScaleResult {
  devices: number;
  seed: number;
  sizing: Sizing;
  storms: StormResult[];
  rollouts: RolloutResult[];
  validation: ValidationRow[];
}

/** Everything `npm run simulate:scale` reports; the same inputs and seed give the same result. */
export function simulateScale(inputs: Inputs, options: ScaleOptions): ScaleResult {
  const { devices, seed, quick } = options;
  const sizing = searchDeployment(inputs, devices, {
    seed,
    warmupS: quick ? 5 : 20,
    measureS: quick ? 15 : 60,
  });
  const fleet = () =>
    new Fleet(new Simulation(seed), inputs, {
      devices,
      deployment: sizing.deployment,
    });
  const gateways = sizing.deployment.gateways;
  const storms = [...new Set([1, gateways])].map((killed) =>
    runStorm(fleet(), killed, { reporting: true }),
  );
  // As the benchmark configures it, and as an operator of the whole fleet would.
  const configs = [
    {
      wavesMaximum: inputs['rollout.wavesMaximum'],
      maxConcurrency: inputs['rollout.maxConcurrency'],
    },
    {
      wavesMaximum: inputs['rollout.fleetWavesMaximum'],
      maxConcurrency: inputs['rollout.fleetMaxConcurrency'],
    },
  ];
  const rollouts = configs.map((config) => {
    const f = fleet();
    leaveForBackground(f, sizing.steady);
    return runRollout(f, config);
  });
  return {
    devices,
    seed,
    sizing,
    storms,
    rollouts,
    validation: options.validate ? validationRows(inputs, seed, quick) : [],
  };
}

import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { OperationConfig } from '../../twins/rollout/config';
import type { RolloutCounts } from '../../twins/rollout/plan';
import type { WaveDevice } from '../activities/rollout-activities';

export const OTA_ROLLOUT_WORKFLOW = 'otaRollout';
export const ROLLOUT_WAVE_WORKFLOW = 'rolloutWave';

export const rolloutWorkflowId = (tenantId: string, rolloutId: string) =>
  `rollout:${tenantId}:${rolloutId}`;
/** A bulk command runs the same workflow under `bulk:<tenant>:<id>`. */
export const bulkCommandWorkflowId = (tenantId: string, id: string) => `bulk:${tenantId}:${id}`;

export interface RolloutArgs {
  readonly tenantId: string;
  readonly actor: string;
  readonly config: OperationConfig;
  /** Carried over by continue-as-new (continuous operations, very many waves). */
  readonly resume?: RolloutResume;
}

/** Where a rollout stands between two waves: all it needs to go on in a new run. */
export interface RolloutResume {
  readonly targeted: number;
  /** Position of the next device to enter a planned wave. */
  readonly from: number;
  /** Waves started so far (retries included): names the next wave's workflow. */
  readonly index: number;
  /** Sizes of the planned waves still to run. */
  readonly sizes: number[];
  readonly canaryDone: boolean;
  readonly paused: boolean;
  readonly aborted: boolean;
  readonly endedBySchedule: boolean;
  readonly retry: boolean;
  readonly reason: string | null;
}

/**
 * `scheduled`: before its start time; `waiting`: outside its maintenance windows (devices
 * already commanded are still judged); `aborting`: aborted, waiting for the devices already
 * updating to finish.
 */
export type RolloutStatus =
  'scheduled' | 'running' | 'waiting' | 'paused' | 'aborting' | 'aborted' | 'completed';

export type { RolloutCounts };

export interface RolloutProgress {
  readonly status: RolloutStatus;
  /** Why it paused itself, or was aborted. */
  readonly reason: string | null;
  readonly targeted: number;
  /** The wave running or next (0 is the canary). */
  readonly wave: number;
  readonly waves: number;
  readonly counts: RolloutCounts;
}

export interface WaveArgs {
  readonly tenantId: string;
  readonly rolloutId: string;
  readonly config: OperationConfig;
  /** Positions [from, from + size) of the rollout's devices, or these devices (a retry). */
  readonly from: number;
  readonly size: number;
  readonly devices?: readonly string[];
  /** Carried over by continue-as-new. */
  readonly resume?: {
    queue: string[];
    inFlight: WaveDevice[];
    paused: boolean;
    aborted: boolean;
    result: WaveResult;
  };
}

export interface WaveResult {
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  /** Devices never commanded because the rollout was aborted. */
  readonly aborted: number;
}

/** Operator controls (on the rollout, which passes them to its running wave). */
export const pauseRolloutSignal = defineSignal<[{ reason?: string }]>('pauseRollout');
export const resumeRolloutSignal = defineSignal('resumeRollout');
export const abortRolloutSignal = defineSignal<[{ reason?: string }]>('abortRollout');
export const retryFailedSignal = defineSignal('retryFailed');
export const rolloutProgressQuery = defineQuery<RolloutProgress>('rolloutProgress');

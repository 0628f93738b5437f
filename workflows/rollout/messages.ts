import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { OperationConfig } from '../../twins/rollout/config';
import type { InFlight } from '../activities/rollout-activities';

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
}

/** `aborting`: aborted, waiting for the devices already updating to finish. */
export type RolloutStatus = 'running' | 'paused' | 'aborting' | 'aborted' | 'completed';

export interface RolloutCounts {
  readonly pending: number;
  readonly skipped: number;
  readonly commanded: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly aborted: number;
}

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
    inFlight: InFlight[];
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

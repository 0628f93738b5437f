import type { Client } from '@temporalio/client';
import type { Database } from '../../db/client';
import {
  devicesWithStatus,
  findRolloutDevice,
  rolloutDevicesOf,
  pendingAt,
  rolloutCounts,
  saveRollout,
  selectRolloutTargets,
  setRolloutDevice,
  twinsOf,
  type RolloutDeviceStatus,
  type RolloutRecord,
} from '../../db/rollout-store';
import {
  finishHealthCheck,
  healthFigures,
  startHealthCheck,
  type HealthWindow,
} from '../../db/rollout-health';
import type { DeviceCommandRecord, DeviceTwinState } from '../../twins/device';
import { judgeHealth, type HealthGate, type HealthVerdict } from '../../twins/rollout/health';
import type { OperationConfig, RolloutConfig } from '../../twins/rollout/config';
import { isRollout } from '../../twins/rollout/plan';
import {
  commandOutcome,
  eligibility,
  leftRollout,
  timeoutReason,
  updateOutcome,
  type Observed,
} from '../../twins/rollout/plan';
import { deviceTwinUpdater } from '../device-twin/client';
import { sendCommandUpdate } from '../device-twin/messages';
import { refusalOf, requireClient } from './fleet-activities';
import {
  createRolloutBatchActivities,
  firmwareFrom,
  operationCommand,
  operationCommandId,
  type Finished,
} from './rollout-batches';

export { operationCommandId, type Finished };

/** A device being updated, as a wave keeps it (the rest is in its rollout_devices row). */
export interface WaveDevice {
  deviceId: string;
  attempt: number;
}

/** A device being updated, as waves before batching kept it between observations. */
export interface InFlight extends WaveDevice {
  /** The device's connection when commanded (a reboot opens another). */
  sessionAtCommand: string | null;
  commandedAt: string;
}

export type Started = { skipped: string } | { inFlight: InFlight };
/** Devices a batch commands at once (each a twin update through Temporal). */
const START_PARALLELISM = 25;

function answerOf(command: DeviceCommandRecord | undefined): Observed['answer'] {
  if (!command) return null;
  switch (command.status) {
    case 'succeeded':
      // The adapter judged the protocol's own answer (OCPP `Rejected`…) into neutral terms.
      return 'accepted';
    case 'rejected':
      return 'rejected';
    case 'failed':
      return 'failed';
    case 'timed-out':
      return 'timeout';
    case 'expired':
      return 'undelivered';
    default:
      return null;
  }
}

/**
 * The firmware a device runs: what it said when it connected (native JSON hello, OCPP boot),
 * else what it reports (`firmware` as a string or `{ version }`: MQTT devices, which have no
 * hello).
 */
const firmwareOf = (state: DeviceTwinState): string | null =>
  firmwareFrom(state.firmware, (state.shadow.reported as Record<string, unknown>).firmware);

const hardwareRevisionOf = (state: DeviceTwinState) => {
  const value = (state.shadow.reported as Record<string, unknown>).hardwareRevision;
  return typeof value === 'string' ? value : null;
};

/**
 * Activities of OTA rollouts. Commands carry deterministic ids and the twin queues a command
 * id once, so a retried activity (a worker killed mid-rollout) never commands a device twice.
 */
export function createRolloutActivities(database: Database, temporal?: Client) {
  const twin = (tenantId: string, deviceId: string) =>
    deviceTwinUpdater(requireClient(temporal), database, { tenantId, deviceId });
  const mark = (
    tenantId: string,
    rolloutId: string,
    deviceId: string,
    status: RolloutDeviceStatus,
    extra: Omit<Parameters<typeof setRolloutDevice>[2], 'status'> = {},
  ) => setRolloutDevice(database, { tenantId, rolloutId, deviceId }, { status, ...extra });

  /**
   * One device's turn: skipped with the reason (not eligible, or offline with `offline:
   * skip`), or commanded — OCPP stations get UpdateFirmware in their version, native JSON
   * devices an `update-firmware` command, MQTT devices a desired `firmware` they apply.
   */
  async function startDeviceUpdate(input: {
    tenantId: string;
    rolloutId: string;
    deviceId: string;
    config: OperationConfig;
    attempt: number;
  }): Promise<Started> {
    const { tenantId, rolloutId, deviceId, config, attempt } = input;
    const id = operationCommandId(config, attempt);
    // A retry of this very step (its worker died around the command): the device is in
    // flight, whatever it has done since — judging it again could skip a device already
    // updated. The command goes out again (the twin queues its id once).
    const row = await findRolloutDevice(database, { tenantId, rolloutId, deviceId });
    const resumed =
      row?.status === 'commanded' && row.attempts === attempt && row.commandedAt !== null;
    const state = (await twinsOf(database, tenantId, [deviceId])).get(deviceId);
    const skip = async (reason: string): Promise<Started> => {
      await mark(tenantId, rolloutId, deviceId, 'skipped', {
        detail: reason,
        finishedAt: new Date().toISOString(),
      });
      return { skipped: reason };
    };
    if (!state) return skip('device not found');
    if (!resumed) {
      const verdict = eligibility(
        {
          deviceId,
          lifecycle: state.lifecycle.state,
          online: state.connectivity.status === 'online',
          model: state.model,
          firmware: firmwareOf(state),
          hardwareRevision: hardwareRevisionOf(state),
        },
        config,
      );
      if (!verdict.eligible) return skip(verdict.reason);
      if (config.offline === 'skip' && state.connectivity.status !== 'online')
        return skip('offline');
    }
    const now = resumed ? row.commandedAt! : new Date().toISOString();
    const sessionAtCommand = resumed ? row.sessionAtCommand : state.connectivity.sessionId;
    const handle = twin(tenantId, deviceId);
    const ttlMs = config.perDevice.timeoutS * 1000;
    // Recorded before the command goes out, so a retry knows it may already have.
    if (!resumed)
      await mark(tenantId, rolloutId, deviceId, 'commanded', {
        attempts: attempt,
        commandedAt: now,
        sessionAtCommand,
        detail: null,
      });
    let refusal;
    try {
      // The neutral command; the adapter of the device's protocol translates it.
      const command = operationCommand(config, attempt, now);
      await handle.executeUpdate(sendCommandUpdate, {
        args: [
          {
            actor: `${isRollout(config) ? 'rollout' : 'bulk command'} ${rolloutId}`,
            id,
            name: command.name,
            params: command.params,
            ttlMs,
          },
        ],
      });
    } catch (error) {
      refusal = refusalOf(error);
      if (!refusal) throw error;
    }
    if (refusal) return skip(`the twin refused the command: ${refusal.message}`);
    return { inFlight: { deviceId, attempt, sessionAtCommand, commandedAt: now } };
  }

  return {
    ...createRolloutBatchActivities(database),

    /** A wave's bake begins: its health check is on record as baking until `until`. */
    async startHealthCheck(input: {
      tenantId: string;
      rolloutId: string;
      wave: number;
      since: string;
      until: string;
    }): Promise<void> {
      await startHealthCheck(database, input);
    },

    /**
     * A wave's bake judged (docs/fleet-operations.md "Health-gated rollouts"): the figures of
     * its updated devices and of those not yet updated, the verdict and the evidence recorded;
     * the workflow gets the verdict and its reason only.
     */
    async judgeRolloutHealth(
      input: HealthWindow & { wave: number; gate: HealthGate },
    ): Promise<Pick<HealthVerdict, 'verdict' | 'reason'>> {
      const figures = await healthFigures(database, input);
      const verdict = judgeHealth(input.wave, figures, input.gate);
      await finishHealthCheck(database, input, verdict, figures);
      return { verdict: verdict.verdict, reason: verdict.reason };
    },

    async saveRollout(
      record: Omit<RolloutRecord, 'config'> & { config?: OperationConfig },
    ): Promise<void> {
      await saveRollout(database, record);
    },

    async selectRolloutTargets(input: {
      tenantId: string;
      rolloutId: string;
      target: RolloutConfig['target'];
    }): Promise<number> {
      return selectRolloutTargets(database, input.tenantId, input.rolloutId, input.target);
    },

    async rolloutWaveDevices(input: {
      tenantId: string;
      rolloutId: string;
      from: number;
      size: number;
    }): Promise<string[]> {
      return pendingAt(database, input.tenantId, input.rolloutId, input.from, input.size);
    },

    async rolloutFailedDevices(input: { tenantId: string; rolloutId: string }): Promise<string[]> {
      return devicesWithStatus(database, input.tenantId, input.rolloutId, 'failed');
    },

    async rolloutPendingDevices(input: { tenantId: string; rolloutId: string }): Promise<string[]> {
      return devicesWithStatus(database, input.tenantId, input.rolloutId, 'pending');
    },

    async rolloutCounts(input: { tenantId: string; rolloutId: string }) {
      return rolloutCounts(database, input.tenantId, input.rolloutId);
    },

    /** Marks devices of a stopped rollout that were never commanded. */
    async abortPending(input: {
      tenantId: string;
      rolloutId: string;
      deviceIds: string[];
    }): Promise<void> {
      for (const deviceId of input.deviceIds)
        await mark(input.tenantId, input.rolloutId, deviceId, 'aborted', {
          detail: 'rollout aborted',
        });
    },

    /** Failed devices back to pending for another attempt; returns them. */
    async resetFailed(input: {
      tenantId: string;
      rolloutId: string;
      deviceIds: string[];
    }): Promise<void> {
      for (const deviceId of input.deviceIds)
        await mark(input.tenantId, input.rolloutId, deviceId, 'pending', {
          detail: 'retrying',
        });
    },

    /**
     * Several devices' turns in one step (a wave's history grows by one activity per batch,
     * not per device), a few at a time. A retried batch resumes the devices it had commanded
     * (see startDeviceUpdate), so none is commanded twice.
     */
    async startDeviceUpdates(input: {
      tenantId: string;
      rolloutId: string;
      deviceIds: string[];
      config: OperationConfig;
      attempt: number;
    }): Promise<{ commanded: string[]; skipped: number }> {
      const { deviceIds, ...rest } = input;
      const out = { commanded: [] as string[], skipped: 0 };
      for (let i = 0; i < deviceIds.length; i += START_PARALLELISM) {
        const slice = deviceIds.slice(i, i + START_PARALLELISM);
        const started = await Promise.all(
          slice.map((deviceId) => startDeviceUpdate({ ...rest, deviceId })),
        );
        started.forEach((s, j) => ('skipped' in s ? out.skipped++ : out.commanded.push(slice[j]!)));
      }
      return out;
    },

    startDeviceUpdate,

    /**
     * Judges the devices being updated by their twins: succeeded once rebooted into the new
     * version, failed when the device refused or the time-out passed; the rest are pending.
     * Final outcomes are recorded here.
     */
    async observeDeviceUpdates(input: {
      tenantId: string;
      rolloutId: string;
      config: OperationConfig;
      /** The devices in flight; what was recorded when each was commanded is read back. */
      deviceIds?: string[];
      /** Before waves passed only ids (histories of waves that ran then replay with it). */
      inFlight?: InFlight[];
      /** The last attempt of a device whose failure is final (no retry left). */
      finalAttempt: number;
    }): Promise<Finished[]> {
      const { tenantId, rolloutId, config } = input;
      const finished: Finished[] = [];
      let inFlight = input.inFlight;
      if (!inFlight) {
        const rows = await rolloutDevicesOf(database, tenantId, rolloutId, input.deviceIds ?? []);
        inFlight = rows.flatMap((r) =>
          r.status === 'commanded' && r.commandedAt
            ? [{ ...r, commandedAt: new Date(r.commandedAt).toISOString() }]
            : [],
        );
        // Judged and recorded by an earlier try of this step whose answer was lost.
        for (const r of rows)
          if (r.status === 'succeeded' || r.status === 'failed' || r.status === 'skipped')
            finished.push({ deviceId: r.deviceId, outcome: r.status, detail: r.detail });
      }
      const twins = await twinsOf(
        database,
        tenantId,
        inFlight.map((d) => d.deviceId),
      );
      const now = Date.now();
      for (const d of inFlight) {
        const state = twins.get(d.deviceId);
        const seen: Observed = {
          firmware: state ? firmwareOf(state) : null,
          sessionId: state?.connectivity.sessionId ?? null,
          answer: answerOf(
            state?.commands?.find((c) => c.id === operationCommandId(config, d.attempt)),
          ),
        };
        const outcome = isRollout(config)
          ? updateOutcome(config.firmware.version, d.sessionAtCommand, seen)
          : commandOutcome(seen);
        let result: Finished | null = null;
        const left = state ? leftRollout(state.lifecycle.state) : 'device not found';
        if (left && outcome !== 'succeeded') {
          await mark(tenantId, rolloutId, d.deviceId, 'skipped', {
            detail: left,
            finishedAt: new Date(now).toISOString(),
          });
          finished.push({ deviceId: d.deviceId, outcome: 'skipped', detail: left });
          continue;
        }
        if (outcome === 'succeeded')
          result = { deviceId: d.deviceId, outcome: 'succeeded', detail: null };
        else if (outcome !== 'pending')
          result = { deviceId: d.deviceId, outcome: 'failed', detail: outcome.failed };
        else if (now - Date.parse(d.commandedAt) > config.perDevice.timeoutS * 1000)
          result = {
            deviceId: d.deviceId,
            outcome: 'failed',
            detail: isRollout(config)
              ? timeoutReason(config.firmware.version, config.perDevice.timeoutS, seen)
              : `no answer within ${config.perDevice.timeoutS} s`,
          };
        if (!result) continue;
        finished.push(result);
        // A failure with attempts left stays `commanded` until the retry is judged.
        if (result.outcome === 'succeeded' || d.attempt >= input.finalAttempt)
          await mark(tenantId, rolloutId, d.deviceId, result.outcome, {
            detail: result.detail,
            finishedAt: new Date(now).toISOString(),
          });
      }
      return finished;
    },
  };
}

export type RolloutActivities = ReturnType<typeof createRolloutActivities>;

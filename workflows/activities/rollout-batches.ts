import type { Database } from '../../db/client';
import {
  commandRolloutDevices,
  settleRolloutDevices,
  waveDeviceRecords,
  type WaveDeviceRecord,
} from '../../db/rollout-store';
import { FIRMWARE_UPDATE, firmwareUpdateParams } from '../../twins/commands/firmware-update';
import type { DeviceTwinState } from '../../twins/device';
import type { OperationConfig } from '../../twins/rollout/config';
import { isRollout } from '../../twins/rollout/plan';
import {
  commandOutcome,
  eligibility,
  leftRollout,
  timeoutReason,
  updateOutcome,
  type Observed,
} from '../../twins/rollout/plan';
import type { BatchCommand, NodeBatch } from '../rollout/batch-delivery';

/**
 * The id of an operation's command to a device: the same for a retried activity (a gateway
 * sends an id to a connection once; a twin queues it once), so a device is commanded once per
 * attempt.
 */
export const operationCommandId = (config: OperationConfig, attempt: number) =>
  `${isRollout(config) ? 'ota' : 'bulk'}:${config.id}:${attempt}`;

export type Finished = {
  deviceId: string;
  outcome: 'succeeded' | 'failed' | 'skipped';
  detail: string | null;
};

/** The firmware a device runs: what it said when it connected, else what it reports. */
export function firmwareFrom(said: string | null, reported: unknown): string | null {
  if (said) return said;
  if (typeof reported === 'string') return reported;
  const version = (reported as { version?: unknown } | null | undefined)?.version;
  return typeof version === 'string' ? version : null;
}

/** The command an operation sends to its devices, protocol-neutral (the adapters translate). */
export function operationCommand(
  config: OperationConfig,
  attempt: number,
  at: string,
): BatchCommand {
  const commandId = operationCommandId(config, attempt);
  const timeoutMs = config.perDevice.timeoutS * 1000;
  if (!isRollout(config))
    return { commandId, name: config.command.name, params: config.command.params, timeoutMs };
  return {
    commandId,
    name: FIRMWARE_UPDATE,
    params: firmwareUpdateParams(commandId, config.firmware, at),
    timeoutMs,
  };
}

/** A device's answer, as the gateway recorded it in its rollout row, in a rollout's terms. */
const recordedAnswer = (answer: string | null): Observed['answer'] =>
  answer === 'accepted' || answer === 'rejected' || answer === 'failed' || answer === 'timeout'
    ? answer
    : null;

/** What a rollout knows of a device from its record (one row of the wave's bulk read). */
const targetOf = (r: WaveDeviceRecord & { device: NonNullable<WaveDeviceRecord['device']> }) => ({
  deviceId: r.deviceId,
  lifecycle: r.device.lifecycle as DeviceTwinState['lifecycle']['state'],
  online: r.device.online,
  model: r.device.model,
  firmware: firmwareFrom(r.device.firmware, r.device.reportedFirmware),
  hardwareRevision:
    typeof r.device.hardwareRevision === 'string' ? r.device.hardwareRevision : null,
});

/** A settled device of a wave, as its rollout row records it. */
type Settled = Parameters<typeof settleRolloutDevices>[3][number];

/**
 * The batches that hand `command` to these devices: one per gateway node that holds some of
 * them (by the session and node their records name), none for a device offline.
 */
function batchesByNode(
  tenantId: string,
  rolloutId: string,
  attempt: number,
  command: BatchCommand,
  devices: ReadonlyArray<{ r: WaveDeviceRecord; expiresAt: string }>,
): NodeBatch[] {
  const byNode = new Map<
    string,
    Array<{ deviceId: string; sessionId: string; expiresAt: string }>
  >();
  for (const { r, expiresAt } of devices) {
    const d = r.device;
    if (!d?.online || !d.sessionId || !d.gatewayNode) continue;
    const items = byNode.get(d.gatewayNode) ?? [];
    items.push({ deviceId: r.deviceId, sessionId: d.sessionId, expiresAt });
    byNode.set(d.gatewayNode, items);
  }
  return [...byNode].map(([node, items]) => ({
    node,
    batch: { tenantId, rolloutId, attempt, command, items },
  }));
}

/**
 * A wave's devices commanded in bulk (docs/fleet-operations.md, "How a wave commands
 * devices"): one read of a batch's rows and records, batches per gateway node for
 * `deliverCommandBatch`, and one read per look at the devices in flight. No twin is involved.
 */
export function createRolloutBatchActivities(database: Database) {
  /**
   * Judges a wave's devices in flight from ONE read of their rows and records (bulk
   * delivery): succeeded once rebooted into the new version (a bulk command: once accepted),
   * failed when the device refused or the time-out passed, let go when it left the rollout's
   * reach; the settled ones are recorded in one statement. Devices commanded but not yet handed
   * (offline at their turn, or moved to another gateway node) that are online now come back
   * as batches per gateway node.
   */
  async function judgeDeviceBatch(input: {
    tenantId: string;
    rolloutId: string;
    config: OperationConfig;
    deviceIds: string[];
    finalAttempt: number;
  }): Promise<{ finished: Finished[]; deliveries: NodeBatch[] }> {
    const { tenantId, rolloutId, config } = input;
    const records = await waveDeviceRecords(database, tenantId, rolloutId, input.deviceIds);
    const now = Date.now();
    const at = new Date(now).toISOString();
    const finished: Finished[] = [];
    const settled: Settled[] = [];
    const undelivered = new Map<number, Array<{ r: WaveDeviceRecord; expiresAt: string }>>();
    for (const r of records) {
      // Judged and recorded by an earlier try of this step whose answer was lost.
      if (r.status === 'succeeded' || r.status === 'failed' || r.status === 'skipped') {
        finished.push({ deviceId: r.deviceId, outcome: r.status, detail: r.detail });
        continue;
      }
      if (r.status !== 'commanded' || !r.commandedAt) continue;
      const seen: Observed = {
        firmware: r.device ? firmwareFrom(r.device.firmware, r.device.reportedFirmware) : null,
        sessionId: r.device?.sessionId ?? null,
        answer: recordedAnswer(r.answer),
      };
      const outcome = isRollout(config)
        ? updateOutcome(config.firmware.version, r.sessionAtCommand, seen)
        : commandOutcome(seen);
      const left = r.device
        ? leftRollout(r.device.lifecycle as DeviceTwinState['lifecycle']['state'])
        : 'device not found';
      let result: Finished | null = null;
      if (left && outcome !== 'succeeded')
        result = { deviceId: r.deviceId, outcome: 'skipped', detail: left };
      else if (outcome === 'succeeded')
        result = { deviceId: r.deviceId, outcome: 'succeeded', detail: null };
      else if (outcome !== 'pending')
        result = { deviceId: r.deviceId, outcome: 'failed', detail: outcome.failed };
      else if (now - Date.parse(r.commandedAt) > config.perDevice.timeoutS * 1000)
        result = {
          deviceId: r.deviceId,
          outcome: 'failed',
          detail: isRollout(config)
            ? timeoutReason(config.firmware.version, config.perDevice.timeoutS, seen)
            : `no answer within ${config.perDevice.timeoutS} s`,
        };
      if (result) {
        finished.push(result);
        // A failure with attempts left stays `commanded` until the retry is judged.
        if (result.outcome !== 'failed' || r.attempts >= input.finalAttempt)
          settled.push({
            deviceId: r.deviceId,
            status: result.outcome,
            detail: result.detail,
            finishedAt: at,
          });
        continue;
      }
      if (r.answer === null) {
        const expiresAt = new Date(
          Date.parse(r.commandedAt) + config.perDevice.timeoutS * 1000,
        ).toISOString();
        undelivered.set(r.attempts, [...(undelivered.get(r.attempts) ?? []), { r, expiresAt }]);
      }
    }
    await settleRolloutDevices(database, tenantId, rolloutId, settled);
    const deliveries = [...undelivered].flatMap(([attempt, devices]) =>
      batchesByNode(tenantId, rolloutId, attempt, operationCommand(config, attempt, at), devices),
    );
    return { finished, deliveries };
  }

  return {
    /**
     * A batch of a wave's devices (their first or a later attempt), from ONE read of their rows
     * and records: the ones the rules skip are recorded skipped, the rest commanded (in one
     * statement each), and the online ones come back as one batch per gateway node for
     * `deliverCommandBatch`. Offline devices wait (`offline: wait`): a later observation hands
     * them their command when they are back. A retried step finds the devices it commanded
     * and commands them no second time.
     */
    async prepareDeviceBatch(input: {
      tenantId: string;
      rolloutId: string;
      deviceIds: string[];
      config: OperationConfig;
      attempt: number;
    }): Promise<{ commanded: string[]; skipped: number; deliveries: NodeBatch[] }> {
      const { tenantId, rolloutId, config, attempt } = input;
      const records = new Map(
        (await waveDeviceRecords(database, tenantId, rolloutId, input.deviceIds)).map((r) => [
          r.deviceId,
          r,
        ]),
      );
      const now = new Date();
      const at = now.toISOString();
      const expiresAt = new Date(now.getTime() + config.perDevice.timeoutS * 1000).toISOString();
      const skipped: Settled[] = [];
      const commanded: Array<Parameters<typeof commandRolloutDevices>[3][number]> = [];
      const deliver: Array<{ r: WaveDeviceRecord; expiresAt: string }> = [];
      const out = { commanded: [] as string[], skipped: 0 };
      for (const deviceId of input.deviceIds) {
        const r = records.get(deviceId);
        const skip = (reason: string) => {
          skipped.push({ deviceId, status: 'skipped', detail: reason, finishedAt: at });
          out.skipped++;
        };
        if (r?.status === 'skipped') {
          out.skipped++;
          continue;
        }
        if (r?.status === 'commanded' && r.attempts === attempt && r.commandedAt) {
          // A retry of this very step: in flight whatever it did since; handed at most once.
          out.commanded.push(deviceId);
          if (r.answer === null)
            deliver.push({
              r,
              expiresAt: new Date(
                Date.parse(r.commandedAt) + config.perDevice.timeoutS * 1000,
              ).toISOString(),
            });
          continue;
        }
        if (!r?.device) {
          skip('device not found');
          continue;
        }
        const target = targetOf({ ...r, device: r.device });
        const verdict = eligibility(target, config);
        if (!verdict.eligible) {
          skip(verdict.reason);
          continue;
        }
        if (config.offline === 'skip' && !target.online) {
          skip('offline');
          continue;
        }
        commanded.push({
          deviceId,
          attempt,
          commandedAt: at,
          sessionAtCommand: r.device.sessionId,
        });
        out.commanded.push(deviceId);
        deliver.push({ r, expiresAt });
      }
      await settleRolloutDevices(database, tenantId, rolloutId, skipped);
      // Recorded before the commands go out, so a retry knows they may already have.
      await commandRolloutDevices(database, tenantId, rolloutId, commanded);
      const command = operationCommand(config, attempt, at);
      return {
        ...out,
        deliveries: batchesByNode(tenantId, rolloutId, attempt, command, deliver),
      };
    },

    judgeDeviceBatch,
  };
}

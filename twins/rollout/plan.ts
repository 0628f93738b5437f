import type { LifecycleState } from '../device';
import type { OperationConfig, RolloutConfig } from './config';

/** A firmware rollout, not a bulk command (here, not in config.ts: workflow code bundles no zod). */
export const isRollout = (config: OperationConfig): config is RolloutConfig => 'firmware' in config;

/** Where each device of a rollout stands (its `rollout_devices` row). */
export const ROLLOUT_DEVICE_STATUSES = [
  'pending',
  'skipped',
  'commanded',
  'succeeded',
  'failed',
  'aborted',
] as const;
export type RolloutDeviceStatus = (typeof ROLLOUT_DEVICE_STATUSES)[number];
export type RolloutCounts = Readonly<Record<RolloutDeviceStatus, number>>;

/** Counts of a rollout with no device yet. */
export const noRolloutCounts = (): Record<RolloutDeviceStatus, number> => ({
  pending: 0,
  skipped: 0,
  commanded: 0,
  succeeded: 0,
  failed: 0,
  aborted: 0,
});

/** What a rollout knows of a target device when its turn comes. */
export interface TargetDevice {
  readonly deviceId: string;
  readonly lifecycle: LifecycleState;
  readonly online: boolean;
  readonly model: string | null;
  readonly firmware: string | null;
  readonly hardwareRevision: string | null;
}

/**
 * Whether a device is updated, or skipped with the reason (never commanded): maintenance and
 * closed devices are excluded, a device on the new version already needs nothing, and the
 * compatibility rules (from-versions, hardware revisions) are kept.
 */
export function eligibility(
  device: TargetDevice,
  config: OperationConfig,
): { eligible: true } | { eligible: false; reason: string } {
  const skip = (reason: string) => ({ eligible: false as const, reason });
  if (device.lifecycle === 'maintenance') return skip('in maintenance');
  if (device.lifecycle !== 'active') return skip(`device is ${device.lifecycle}`);
  if (!isRollout(config)) return { eligible: true };
  if (device.firmware === config.firmware.version)
    return skip(`already on ${config.firmware.version}`);
  const { fromVersions, hardwareRevisions } = config.compatibility;
  if (fromVersions && !fromVersions.includes(device.firmware ?? ''))
    return skip(
      `firmware ${device.firmware ?? '(unknown)'} is not one the image installs over (${fromVersions.join(', ')})`,
    );
  if (hardwareRevisions && !hardwareRevisions.includes(device.hardwareRevision ?? ''))
    return skip(
      `hardware revision ${device.hardwareRevision ?? '(unknown)'} is not supported (${hardwareRevisions.join(', ')})`,
    );
  return { eligible: true };
}

/**
 * The sizes of the waves after the canary, covering `remaining` devices.
 *
 * @example waveSizes(10, { mode: 'exponential', base: 1, factor: 2, maximum: 4 }) // [1, 2, 4, 3]
 */
export function waveSizes(remaining: number, waves: RolloutConfig['waves']): number[] {
  const sizes: number[] = [];
  let left = remaining;
  for (let k = 0; left > 0; k++) {
    const size =
      waves.mode === 'constant'
        ? waves.size
        : Math.min(waves.maximum, Math.max(1, Math.round(waves.base * waves.factor ** k)));
    sizes.push(Math.min(size, left));
    left -= size;
  }
  return sizes;
}

/**
 * The waves of `targeted` devices as positions (canary first, then the waves), as a rollout
 * that fixed them all at once plans them. A continuous rollout plans its newcomers' waves as
 * they join, so past its first targets this is the same devices in waves of the same rule,
 * not necessarily the same cut.
 *
 * @example wavePlan(5, { canary: { devices: 1 }, waves: { mode: 'constant', size: 2 } })
 * // [{ from: 0, size: 1 }, { from: 1, size: 2 }, { from: 3, size: 2 }]
 */
export function wavePlan(
  targeted: number,
  config: Pick<RolloutConfig, 'canary' | 'waves'>,
): Array<{ from: number; size: number }> {
  const canary = Math.min(config.canary.devices, targeted);
  let from = 0;
  return [canary, ...waveSizes(targeted - canary, config.waves)]
    .filter((size) => size > 0)
    .map((size) => ({ from: (from += size) - size, size }));
}

export interface Tally {
  readonly succeeded: number;
  readonly failed: number;
}

/**
 * Why the rollout must stop now (its abort criteria met), or null. A percentage counts only
 * after `minExecuted` devices finished; an absolute count always does.
 */
export function abortReason(tally: Tally, abort: RolloutConfig['abort']): string | null {
  const executed = tally.succeeded + tally.failed;
  if (abort.maxFailures !== undefined && tally.failed >= abort.maxFailures)
    return `${tally.failed} devices failed (at most ${abort.maxFailures - 1} allowed)`;
  if (executed < abort.minExecuted || executed === 0) return null;
  const percent = (tally.failed / executed) * 100;
  if (percent > abort.failurePercent)
    return `${percent.toFixed(0)} % of ${executed} devices failed (limit ${abort.failurePercent} %)`;
  return null;
}

/** What the device's twin shows after an update was commanded. */
export interface Observed {
  readonly firmware: string | null;
  /** Its current connection (a reboot opens a new one); null while offline. */
  readonly sessionId: string | null;
  /** The device's answer to the update command, when it gave one. */
  readonly answer: 'accepted' | 'rejected' | 'failed' | 'timeout' | 'undelivered' | null;
}

/**
 * A device counts as updated only once it reports the new version on a connection other than
 * the one it had when commanded (it rebooted into it) — not when it says "installed". A
 * reconnect with the old version (a network blip mid-download) is not a failure yet: the
 * time-out decides.
 */
export function updateOutcome(
  target: string,
  sessionAtCommand: string | null,
  seen: Observed,
): 'succeeded' | { failed: string } | 'pending' {
  if (seen.answer === 'rejected' || seen.answer === 'failed')
    return { failed: `the device answered the update command: ${seen.answer}` };
  const rebooted = seen.sessionId !== null && seen.sessionId !== sessionAtCommand;
  return rebooted && seen.firmware === target ? 'succeeded' : 'pending';
}

/** Why a device that ran out of time did not count as updated. */
export function timeoutReason(target: string, timeoutS: number, seen: Observed): string {
  if (seen.answer === 'undelivered' || seen.answer === null)
    return `the update command was not delivered within ${timeoutS} s (device offline)`;
  return `no reboot into ${target} within ${timeoutS} s (it reports ${seen.firmware ?? 'no version'})`;
}

/**
 * A device that left the rollout's reach while updating (retired, replaced, put in
 * maintenance): it is let go with the reason, neither success nor failure.
 */
export function leftRollout(lifecycle: LifecycleState): string | null {
  if (lifecycle === 'retired' || lifecycle === 'replaced') return `${lifecycle} during the rollout`;
  if (lifecycle === 'maintenance') return 'put in maintenance during the rollout';
  return null;
}

/** A bulk command's device succeeds when it accepts the command; a refusal or expiry fails it. */
export function commandOutcome(seen: Observed): 'succeeded' | { failed: string } | 'pending' {
  switch (seen.answer) {
    case 'accepted':
      return 'succeeded';
    case 'rejected':
    case 'failed':
      return { failed: `the device answered: ${seen.answer}` };
    case 'timeout':
      return { failed: 'the device did not answer in time' };
    case 'undelivered':
      return { failed: 'not delivered before it expired (device offline)' };
    default:
      return 'pending';
  }
}

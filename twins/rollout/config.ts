import { z } from 'zod';
import { ID_PATTERN } from '../ids';
import { healthGateSchema } from './health';
import { scheduleSchema } from './schedule-schema';

const id = z.string().regex(ID_PATTERN, 'a slug: letters, digits, . _ - (at most 64)');
const version = z.string().min(1).max(128);

/**
 * What every fleet operation shares: which devices, in which waves, stopped by which criteria.
 * Field names follow AWS IoT Jobs where they mean the same (rollout rates, abort criteria,
 * time-outs, retries).
 */
const safety = {
  id,
  /** Which devices: all of the tenant's unless narrowed (every given criterion must hold). */
  target: z
    .object({
      customerId: id.optional(),
      siteId: id.optional(),
      models: z.array(z.string().min(1).max(128)).min(1).max(100).optional(),
      /** Current firmware versions the devices must run. */
      firmware: z.array(version).min(1).max(100).optional(),
      /** Every one of these tags. */
      tags: z.array(z.string().min(1).max(64)).min(1).max(20).optional(),
      devices: z.array(id).min(1).max(100_000).optional(),
    })
    .strict()
    .default({}),
  /** The first wave: this many devices; the rollout pauses unless they all succeed. */
  canary: z
    .object({ devices: z.number().int().min(1).max(1_000) })
    .strict()
    .default({ devices: 1 }),
  /** After the canary: waves of a constant size, or growing by a factor up to a maximum. */
  waves: z
    .discriminatedUnion('mode', [
      z
        .object({ mode: z.literal('constant'), size: z.number().int().min(1).max(100_000) })
        .strict(),
      z
        .object({
          mode: z.literal('exponential'),
          base: z.number().int().min(1).max(100_000),
          factor: z.number().min(1.1).max(10),
          maximum: z.number().int().min(1).max(100_000),
        })
        .strict(),
    ])
    .default({ mode: 'constant', size: 100 }),
  /** Devices being updated at once, across waves. */
  maxConcurrency: z.number().int().min(1).max(10_000).default(50),
  perDevice: z
    .object({
      /** From the command to the new version reported after the reboot. */
      timeoutS: z
        .number()
        .int()
        .min(5)
        .max(7 * 24 * 3600)
        .default(1800),
      /** Further attempts after a failure or time-out. */
      retries: z.number().int().min(0).max(10).default(1),
    })
    .strict()
    .default({ timeoutS: 1800, retries: 1 }),
  /** The rollout pauses itself when a criterion is met (after `minExecuted` devices finished). */
  abort: z
    .object({
      failurePercent: z.number().min(0).max(100).default(20),
      minExecuted: z.number().int().min(1).default(10),
      /** Failures in absolute numbers, whatever the percentage. */
      maxFailures: z.number().int().min(1).optional(),
    })
    .strict()
    .default({ failurePercent: 20, minExecuted: 10 }),
  /** A device offline when its turn comes: wait for it (within its time-out) or skip it. */
  offline: z.enum(['wait', 'skip']).default('wait'),
  /** When devices may be commanded: start, end, maintenance windows (schedule.ts). */
  schedule: scheduleSchema.optional(),
  /**
   * Continuous: after its waves the operation keeps running, and devices that match the
   * target later (provisioned, re-tagged, moved) join in waves of their own; it ends when
   * aborted or when its schedule ends.
   */
  continuous: z
    .object({
      /** How often the target filter is read again for newcomers. */
      checkEveryS: z.number().int().min(5).max(86_400).default(300),
    })
    .strict()
    .optional(),
};

/** An OTA rollout as data (issue 6): the safety fields, the firmware, its compatibility. */
export const rolloutConfigSchema = z
  .object({
    ...safety,
    firmware: z
      .object({
        version,
        /** Where the device downloads the image. */
        url: z.url({ protocol: /^(https?|ftp|sftp)$/, error: 'an http(s):// or (s)ftp:// URL' }),
        /** Optional checksum the device may verify (e.g. sha256:…). */
        checksum: z.string().min(1).max(256).optional(),
      })
      .strict(),
    /** Compatibility: a device outside these is skipped with the reason, never commanded. */
    compatibility: z
      .object({
        /** Firmware versions the image may be installed over. */
        fromVersions: z.array(version).min(1).max(100).optional(),
        hardwareRevisions: z.array(z.string().min(1).max(64)).min(1).max(100).optional(),
      })
      .strict()
      .default({}),
    /**
     * Bake after each wave and compare the updated devices with those not yet updated
     * (alarms, new fault fingerprints, reconnects, failed charging sessions): a regression
     * pauses the rollout with the evidence (health.ts).
     */
    healthGate: healthGateSchema.optional(),
  })
  .strict();

export type RolloutConfig = z.infer<typeof rolloutConfigSchema>;

/**
 * A command to many devices (reboot, trigger message, change availability, a native command…)
 * with the same targets and safety controls as a rollout; a device succeeds when it accepts
 * the command. Compatibility rules do not apply.
 */
export const bulkCommandConfigSchema = z
  .object({
    ...safety,
    command: z
      .object({
        /** An OCPP action (Reset, TriggerMessage, ChangeAvailability, …) or a native command. */
        name: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'a command or OCPP action name'),
        params: z.record(z.string(), z.unknown()).default({}),
      })
      .strict(),
  })
  .strict();

export type BulkCommandConfig = z.infer<typeof bulkCommandConfigSchema>;

/** What the operation workflow runs: a firmware rollout or a bulk command. */
export type OperationConfig = RolloutConfig | BulkCommandConfig;

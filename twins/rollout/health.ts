import { z } from 'zod';

/**
 * A rollout's health gate (docs/fleet-operations.md "Health-gated rollouts"): after each wave
 * that has more waves after it, the rollout waits `bakeSeconds`, then compares the wave's
 * updated devices with the rollout's devices not yet updated. A limit broken pauses the
 * rollout with the evidence. Ratios compare the updated devices' rate with the others'.
 */
export const healthGateSchema = z
  .object({
    /** How long after the wave the devices are watched before the next wave may start. */
    bakeSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600),
    /** Alarms raised per updated device over alarms per device not yet updated. */
    maxAlarmRatio: z.number().min(0).max(1_000).default(1.5),
    /** Fingerprints seen on the updated devices that no other firmware of the model has. */
    maxNewFingerprints: z.number().int().min(0).max(1_000).default(0),
    /** Reconnects per updated device (the reboot into the new version left out) over the others'. */
    maxReconnectRatio: z.number().min(0).max(1_000).default(2),
    /** Share of charging sessions that failed on updated devices over the others' share. */
    maxFailedSessionRatio: z.number().min(0).max(1_000).default(1.5),
    /** Fewer updated devices than this: the gate is inconclusive and lets the rollout go on. */
    minDevices: z.number().int().min(1).max(100_000).default(1),
  })
  .strict();

export type HealthGate = z.infer<typeof healthGateSchema>;

/** What one group of devices did over the bake window. */
export interface GroupFigures {
  readonly devices: number;
  readonly alarms: number;
  readonly reconnects: number;
  readonly sessions: number;
  readonly failedSessions: number;
}

export interface NewFingerprint {
  readonly fingerprint: string;
  readonly errorCode: string;
  readonly vendorCode: string | null;
  readonly firmware: string | null;
  readonly model: string | null;
}

export interface HealthFigures {
  readonly updated: GroupFigures;
  /** The rollout's devices not yet updated (pending). */
  readonly baseline: GroupFigures;
  readonly newFingerprints: readonly NewFingerprint[];
}

type Ratio = number | 'infinite' | null;

/** One compared figure: both groups, the ratio, the limit, and whether it was broken. */
export interface HealthCheckFigure {
  readonly metric:
    'alarmsPerDevice' | 'newFingerprints' | 'reconnectsPerDevice' | 'failedSessionRate';
  readonly updated: { devices?: number; count: number; of?: number; rate?: number };
  readonly baseline?: { devices?: number; count: number; of?: number; rate?: number };
  readonly ratio?: Ratio;
  readonly limit: number;
  readonly broken: boolean;
  /** Why it was not judged (too few devices or no sessions). */
  readonly note?: string;
  readonly fingerprints?: readonly NewFingerprint[];
}

export interface HealthVerdict {
  readonly verdict: 'passed' | 'failed' | 'inconclusive';
  /** What broke (failed), or why nothing could be judged (inconclusive); null when passed. */
  readonly reason: string | null;
  readonly checks: readonly HealthCheckFigure[];
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** updated / baseline, 'infinite' when only the updated devices have any. */
function ratioOf(updated: number, baseline: number): Ratio {
  if (updated === 0) return 0;
  if (baseline === 0) return 'infinite';
  return round(updated / baseline);
}

const above = (ratio: Ratio, limit: number) =>
  ratio === 'infinite' || (typeof ratio === 'number' && ratio > limit);

const LABEL: Record<HealthCheckFigure['metric'], string> = {
  alarmsPerDevice: 'alarms per device',
  newFingerprints: 'fingerprints new to the firmware',
  reconnectsPerDevice: 'reconnects per device',
  failedSessionRate: 'failed charging sessions',
};

function describe(check: HealthCheckFigure): string {
  const label = LABEL[check.metric];
  if (check.metric === 'newFingerprints')
    return `${label}: ${check.updated.count} (${(check.fingerprints ?? []).map((f) => f.errorCode).join(', ')}), at most ${check.limit}`;
  const ratio = check.ratio === 'infinite' ? 'none on the others' : `ratio ${check.ratio}`;
  // Per device for alarms and reconnects; the failed share of the sessions for sessions.
  const side = (g: NonNullable<HealthCheckFigure['baseline']>, who: string) =>
    g.of === undefined
      ? `${g.rate} on ${g.devices} ${who}`
      : `${g.count} of ${g.of} sessions on ${who}`;
  return `${label} ${side(check.updated, 'updated')} vs ${side(check.baseline!, 'not yet updated')} (${ratio}, limit ${check.limit})`;
}

/**
 * Judges a wave's bake: pure, so the same figures always give the same verdict. The figures of
 * each metric and the limit broken are the evidence an operator reads.
 */
export function judgeHealth(wave: number, figures: HealthFigures, gate: HealthGate): HealthVerdict {
  const { updated, baseline } = figures;
  if (updated.devices < gate.minDevices)
    return {
      verdict: 'inconclusive',
      reason: `${updated.devices} updated devices, fewer than minDevices ${gate.minDevices}`,
      checks: [],
    };
  const comparable = baseline.devices >= gate.minDevices;
  const perDevice = (
    metric: 'alarmsPerDevice' | 'reconnectsPerDevice',
    count: (g: GroupFigures) => number,
    limit: number,
  ): HealthCheckFigure => {
    const u = {
      devices: updated.devices,
      count: count(updated),
      rate: round(count(updated) / updated.devices),
    };
    if (!comparable)
      return { metric, updated: u, limit, broken: false, note: 'too few devices not yet updated' };
    const b = {
      devices: baseline.devices,
      count: count(baseline),
      rate: round(count(baseline) / baseline.devices),
    };
    const ratio = ratioOf(u.rate, b.rate);
    return { metric, updated: u, baseline: b, ratio, limit, broken: above(ratio, limit) };
  };
  const sessions = (): HealthCheckFigure => {
    const metric = 'failedSessionRate';
    const limit = gate.maxFailedSessionRatio;
    const rate = (g: GroupFigures) => (g.sessions === 0 ? 0 : round(g.failedSessions / g.sessions));
    const u = { count: updated.failedSessions, of: updated.sessions, rate: rate(updated) };
    const b = { count: baseline.failedSessions, of: baseline.sessions, rate: rate(baseline) };
    if (updated.sessions === 0)
      return {
        metric,
        updated: u,
        baseline: b,
        limit,
        broken: false,
        note: 'no sessions on updated devices',
      };
    if (!comparable)
      return { metric, updated: u, limit, broken: false, note: 'too few devices not yet updated' };
    const ratio = ratioOf(u.rate, b.rate);
    return { metric, updated: u, baseline: b, ratio, limit, broken: above(ratio, limit) };
  };
  const checks: HealthCheckFigure[] = [
    perDevice('alarmsPerDevice', (g) => g.alarms, gate.maxAlarmRatio),
    {
      metric: 'newFingerprints',
      updated: { count: figures.newFingerprints.length },
      limit: gate.maxNewFingerprints,
      broken: figures.newFingerprints.length > gate.maxNewFingerprints,
      fingerprints: figures.newFingerprints,
    },
    perDevice('reconnectsPerDevice', (g) => g.reconnects, gate.maxReconnectRatio),
    sessions(),
  ];
  const broken = checks.filter((c) => c.broken);
  return {
    verdict: broken.length > 0 ? 'failed' : 'passed',
    reason:
      broken.length > 0
        ? `health gate after wave ${wave}: ${broken.map(describe).join('; ')}`
        : null,
    checks,
  };
}

import { ApplicationFailure } from '@temporalio/workflow';
import { isRejection } from '../../twins/errors';
import {
  allocate,
  profileChanges,
  sessionIdOf,
  siteLoads,
  type SessionShare,
} from '../../twins/smart-charging';
import type { SiteLoadActivities } from '../activities/site-load-activities';
import {
  HISTORY_KEPT,
  type ProfileSent,
  type SiteLoadArgs,
  type SiteLoadSettings,
  type SiteLoadStep,
  type SiteLoadView,
} from './messages';

type Activities = Pick<SiteLoadActivities, 'readSiteLoad' | 'sendChargingProfiles'>;

/** The load manager's state and one recomputation; the workflow file only wires messages. */
export class SiteLoadManager {
  dirty = false;
  private reasons = new Set<string>();
  private settings: SiteLoadSettings;
  private sent: Record<string, number>;
  private offlineSince: Record<string, number>;
  private history: SiteLoadStep[];
  private shares: SessionShare[] = [];
  private nextRelease: number | null = null;
  private steps = 0;

  constructor(
    private readonly args: SiteLoadArgs,
    private readonly activities: Activities,
    private readonly runId: string,
  ) {
    this.settings = args.settings;
    this.sent = { ...(args.sent ?? {}) };
    this.offlineSince = { ...(args.offlineSince ?? {}) };
    this.history = [...(args.history ?? [])];
    this.shares = this.history[0]?.shares.slice() ?? [];
  }

  /** Refuses settings the allocation core refuses, before they are accepted. */
  static check(settings: SiteLoadSettings): void {
    const judged = allocate({ limit: settings.limit, policy: settings.policy, sessions: [] });
    if (isRejection(judged))
      throw ApplicationFailure.create({
        type: judged.code,
        message: judged.message,
        nonRetryable: true,
      });
    if (!Number.isInteger(settings.releaseDelayMs) || settings.releaseDelayMs < 0)
      throw ApplicationFailure.create({
        type: 'twin:smart-charging.release-delay-invalid',
        message: `the release delay is a whole number of ms ≥ 0, got ${settings.releaseDelayMs}`,
        nonRetryable: true,
      });
  }

  changed(reason: string): void {
    this.reasons.add(reason);
    this.dirty = true;
  }

  setSettings(settings: SiteLoadSettings): void {
    this.settings = settings;
    this.changed('limit set');
  }

  /** Ms until an offline station's share is due for release, or null when none waits. */
  nextReleaseIn(now: number): number | null {
    return this.nextRelease === null ? null : Math.max(0, this.nextRelease - now);
  }

  view(): SiteLoadView {
    return { settings: this.settings, shares: this.shares, history: this.history };
  }

  carried(): SiteLoadArgs {
    return {
      tenantId: this.args.tenantId,
      siteId: this.args.siteId,
      settings: this.settings,
      sent: this.sent,
      offlineSince: this.offlineSince,
      history: this.history,
    };
  }

  /**
   * Reads the site, allocates, and sends what changed: first every lowered profile, and only
   * once the stations answered, the raised and new ones, so the profiles in force never add
   * up to more than the limit, not even between the two rounds.
   */
  async recompute(at: string): Promise<void> {
    const reason = [...this.reasons].join(', ');
    this.reasons.clear();
    this.dirty = false;
    const { tenantId, siteId } = this.args;
    const facts = await this.activities.readSiteLoad(tenantId, siteId);
    const { limit, policy, releaseDelayMs } = this.settings;
    const counted = siteLoads({
      sessions: facts.sessions,
      offline: facts.offline,
      offlineSince: this.offlineSince,
      sent: this.sent,
      now: Date.parse(at),
      releaseDelayMs,
    });
    this.offlineSince = counted.offlineSince;
    this.nextRelease = counted.nextRelease;
    const allocation = allocate({ limit, policy, sessions: counted.loads });
    // The settings were checked when accepted: a refusal here is a bug, not an input.
    if (isRejection(allocation)) throw ApplicationFailure.nonRetryable(allocation.message);
    const { lower, raise } = profileChanges(
      new Map(Object.entries(this.sent)),
      allocation.sessions,
    );
    const bySession = new Map(facts.sessions.map((s) => [sessionIdOf(s), s]));
    const step = `load:${siteId}:${this.runId}:${++this.steps}`;
    const send = async (round: string, changes: typeof lower) => {
      if (changes.length === 0) return [];
      const answers = await this.activities.sendChargingProfiles(
        tenantId,
        `${step}:${round}`,
        changes.map((c) => ({
          session: bySession.get(c.sessionId)!,
          sessionId: c.sessionId,
          limit: c.to,
          unit: limit.unit,
          ...(limit.unit === 'A' ? { phases: limit.phases } : {}),
        })),
      );
      // Counted at what was asked whatever the answer (the history shows each one): the next
      // step compares with the limits Doppel asked for, and a refusal is the operator's to see.
      for (const c of changes) this.sent[c.sessionId] = c.to;
      return answers;
    };
    const sent: ProfileSent[] = [...(await send('lower', lower)), ...(await send('raise', raise))];
    const present = new Set(allocation.sessions.map((s) => s.sessionId));
    for (const id of Object.keys(this.sent)) if (!present.has(id)) delete this.sent[id];
    this.shares = allocation.sessions;
    this.history = [
      {
        at,
        reason,
        unit: allocation.unit,
        siteLimit: allocation.siteLimit,
        allocated: allocation.allocated,
        shares: allocation.sessions,
        sent,
      },
      ...this.history,
    ].slice(0, HISTORY_KEPT);
  }
}

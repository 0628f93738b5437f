import { ApplicationFailure, patched } from '@temporalio/workflow';
import { isRejection } from '../../twins/errors';
import {
  allocate,
  defaultChanges,
  LOAD_MANAGER_DEFAULT_PROFILE_ID,
  profileChanges,
  sessionIdOf,
  siteLoads,
  txDefaultProfileRequest,
  type DefaultChange,
  type DefaultSent,
  type SessionShare,
} from '../../twins/smart-charging';
import type { SiteLoadActivities } from '../activities/site-load-activities';
import { clearProfilesOf } from './clear-profiles';
import {
  HISTORY_KEPT,
  type ProfileSent,
  type StationProfileSent,
  type SiteLoadArgs,
  type SiteLoadSettings,
  type SiteLoadStep,
  type SiteLoadView,
} from './messages';

type Activities = Pick<
  SiteLoadActivities,
  'readSiteLoad' | 'sendChargingProfiles' | 'sendStationProfiles'
>;

/** Histories from before the TxDefaultProfile counted no idle connector and sent no default. */
const TX_DEFAULT_PATCH = 'site-load-tx-default-profile';

/** The load manager's state and one recomputation; the workflow file only wires messages. */
export class SiteLoadManager {
  dirty = false;
  /** The limit is being removed: the next step clears what load management set, then it ends. */
  removing = false;
  removed = false;
  private reasons = new Set<string>();
  private settings: SiteLoadSettings;
  private sent: Record<string, number>;
  private offlineSince: Record<string, number>;
  private defaults: Record<string, DefaultSent>;
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
    this.defaults = { ...(args.defaults ?? {}) };
    this.history = [...(args.history ?? [])];
    this.shares = this.history[0]?.shares.slice() ?? [];
  }

  /** Refuses settings the allocation core refuses, or that a limit being removed would lose. */
  static check(settings: SiteLoadSettings, manager?: SiteLoadManager): void {
    if (manager?.removing)
      throw ApplicationFailure.create({
        type: 'twin:smart-charging.limit-removing',
        message: 'the site limit is being removed: set it again once removeSiteLoadLimit answered',
        nonRetryable: true,
      });
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
      defaults: this.defaults,
    };
  }

  requestRemoval(): void {
    this.removing = true;
  }

  /**
   * The last step: clears every TxDefaultProfile and TxProfile load management set on the
   * site's stations (offline ones get theirs queued) and records the answers.
   */
  async clear(at: string): Promise<void> {
    const { tenantId, siteId } = this.args;
    const facts = await this.activities.readSiteLoad(tenantId, siteId);
    const clears = clearProfilesOf(facts, this.defaults, this.sent);
    const answers =
      clears.length === 0
        ? []
        : await this.activities.sendStationProfiles(
            tenantId,
            `load:${siteId}:${this.runId}:${++this.steps}:clear`,
            clears,
          );
    this.sent = {};
    this.defaults = {};
    this.shares = [];
    this.record({
      at,
      reason: 'limit removed',
      unit: this.settings.limit.unit,
      siteLimit: 0,
      allocated: 0,
      startLimit: 0,
      reserved: 0,
      shares: [],
      sent: [],
      stationProfiles: answers,
    });
    this.removed = true;
  }

  private record(step: SiteLoadStep): void {
    this.history = [step, ...this.history].slice(0, HISTORY_KEPT);
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
    const withDefaults = patched(TX_DEFAULT_PATCH);
    const facts = await this.activities.readSiteLoad(tenantId, siteId);
    const { limit, policy, releaseDelayMs } = this.settings;
    const stations = withDefaults ? (facts.stations ?? []) : [];
    const counted = siteLoads({
      sessions: facts.sessions,
      offline: facts.offline,
      offlineSince: this.offlineSince,
      sent: this.sent,
      now: Date.parse(at),
      releaseDelayMs,
      stations,
      defaults: Object.fromEntries(Object.entries(this.defaults).map(([id, d]) => [id, d.limit])),
    });
    this.offlineSince = counted.offlineSince;
    this.nextRelease = counted.nextRelease;
    const allocation = allocate({ limit, policy, sessions: counted.loads, idle: counted.idle });
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
    const defaults = withDefaults
      ? defaultChanges(this.defaults, stations, new Set(facts.offline), allocation.startLimit)
      : { lower: [], raise: [] };
    const connectionOf = new Map(stations.map((s) => [s.deviceId, s.connection]));
    const sendDefaults = async (round: string, changes: readonly DefaultChange[]) => {
      if (changes.length === 0) return [];
      const answers = await this.activities.sendStationProfiles(
        tenantId,
        `${step}:${round}`,
        changes.map((c) => ({
          stationId: c.stationId,
          action: 'set-default' as const,
          profileId: LOAD_MANAGER_DEFAULT_PROFILE_ID,
          limit: c.to,
          name: 'SetChargingProfile' as const,
          params: txDefaultProfileRequest(c.protocol, {
            limit: c.to,
            unit: limit.unit,
            ...(limit.unit === 'A' ? { phases: limit.phases } : {}),
          }),
          queue: false,
        })),
      );
      // Counted as heard whatever the answer, as TxProfiles are; the history shows refusals.
      for (const c of changes)
        this.defaults[c.stationId] = { limit: c.to, connection: connectionOf.get(c.stationId)! };
      return answers;
    };
    // Defaults go with the TxProfiles of their round: lowered (and first-time) ones first.
    const [loweredTx, loweredDefaults] = await Promise.all([
      send('lower', lower),
      sendDefaults('lower-defaults', defaults.lower),
    ]);
    const [raisedTx, raisedDefaults] = await Promise.all([
      send('raise', raise),
      sendDefaults('raise-defaults', defaults.raise),
    ]);
    const sent: ProfileSent[] = [...loweredTx, ...raisedTx];
    const stationProfiles: StationProfileSent[] = [...loweredDefaults, ...raisedDefaults];
    const present = new Set(allocation.sessions.map((s) => s.sessionId));
    for (const id of Object.keys(this.sent)) if (!present.has(id)) delete this.sent[id];
    if (withDefaults) {
      // A station no longer at the site is no longer the site's to keep.
      for (const id of Object.keys(this.defaults))
        if (!connectionOf.has(id)) delete this.defaults[id];
    }
    this.shares = allocation.sessions;
    this.record({
      at,
      reason,
      unit: allocation.unit,
      siteLimit: allocation.siteLimit,
      allocated: allocation.allocated,
      ...(withDefaults
        ? { startLimit: allocation.startLimit, reserved: allocation.reserved, stationProfiles }
        : {}),
      shares: allocation.sessions,
      sent,
    });
  }
}

import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ChargingRateUnit,
  DefaultSent,
  LoadPolicy,
  OfflineSince,
  SessionShare,
  SiteLimit,
} from '../../twins/smart-charging';

/** Public message definitions of a site's load manager: graphql/ and the worker import these. */
export const SITE_LOAD_WORKFLOW = 'siteLoadManager';

export const siteLoadWorkflowId = (tenantId: string, siteId: string) =>
  `site-load:${tenantId}:${siteId}`;

/** Default time an offline station's share stays held before the others get it. */
export const DEFAULT_RELEASE_DELAY_MS = 5 * 60_000;

export interface SiteLoadSettings {
  readonly limit: SiteLimit;
  readonly policy: LoadPolicy;
  readonly releaseDelayMs: number;
}

/** What a station did with a profile it was sent. */
export interface ProfileSent {
  readonly sessionId: string;
  readonly stationId: string;
  readonly limit: number;
  /** The command's outcome (succeeded, rejected, failed, timed-out, expired), or not-found / refused. */
  readonly status: string;
}

/**
 * What a station did with load management's TxDefaultProfile (`set-default`) or with the
 * ClearChargingProfile of a profile load management set (`clear`, when the limit is removed).
 */
export interface StationProfileSent {
  readonly stationId: string;
  readonly action: 'set-default' | 'clear';
  readonly profileId: number;
  /** The default's limit; null for a clear. */
  readonly limit: number | null;
  /** As ProfileSent's, or `queued`: its station is offline and hears it when it is back. */
  readonly status: string;
}

/** One recomputation: what was decided and what was sent, lowered first. */
export interface SiteLoadStep {
  readonly at: string;
  readonly reason: string;
  readonly unit: ChargingRateUnit;
  readonly siteLimit: number;
  /** The shares plus what idle connectors keep (`reserved`). */
  readonly allocated: number;
  /** The TxDefaultProfile's limit in force after the step (absent in steps before it existed). */
  readonly startLimit?: number;
  readonly reserved?: number;
  readonly shares: readonly SessionShare[];
  readonly sent: readonly ProfileSent[];
  /** TxDefaultProfiles sent (lowered with the first round, raised with the second) or clears. */
  readonly stationProfiles?: readonly StationProfileSent[];
}

export interface SiteLoadArgs {
  readonly tenantId: string;
  readonly siteId: string;
  readonly settings: SiteLoadSettings;
  /** Carried over by continue-as-new. */
  readonly sent?: Readonly<Record<string, number>>;
  readonly offlineSince?: OfflineSince;
  readonly history?: readonly SiteLoadStep[];
  /** The TxDefaultProfile each station heard, and on which connection. */
  readonly defaults?: Readonly<Record<string, DefaultSent>>;
}

export interface SiteLoadView {
  readonly settings: SiteLoadSettings;
  readonly shares: readonly SessionShare[];
  /** Newest first, at most HISTORY_KEPT. */
  readonly history: readonly SiteLoadStep[];
}

export const HISTORY_KEPT = 50;

/** The ingest path committed a session start or stop, or a station's connect or disconnect. */
export const siteChangedSignal = defineSignal<[{ readonly reason: string }]>('siteChanged');
/** A new limit or policy; refused (twin:smart-charging.*) when the allocation core refuses it. */
export const setSiteLimitUpdate = defineUpdate<SiteLoadView, [SiteLoadSettings]>('setSiteLimit');
export const siteLoadQuery = defineQuery<SiteLoadView>('siteLoad');
/**
 * Removes the site's limit: the manager clears the TxDefaultProfiles and TxProfiles it set on
 * the site's stations and ends; answered once the online stations answered the clears.
 */
export const removeSiteLimitUpdate = defineUpdate<SiteLoadView, []>('removeSiteLimit');

import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ChargingRateUnit,
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

/** One recomputation: what was decided and what was sent, lowered first. */
export interface SiteLoadStep {
  readonly at: string;
  readonly reason: string;
  readonly unit: ChargingRateUnit;
  readonly siteLimit: number;
  readonly allocated: number;
  readonly shares: readonly SessionShare[];
  readonly sent: readonly ProfileSent[];
}

export interface SiteLoadArgs {
  readonly tenantId: string;
  readonly siteId: string;
  readonly settings: SiteLoadSettings;
  /** Carried over by continue-as-new. */
  readonly sent?: Readonly<Record<string, number>>;
  readonly offlineSince?: OfflineSince;
  readonly history?: readonly SiteLoadStep[];
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

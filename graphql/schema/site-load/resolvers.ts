import { sitesByIds } from '../../../db/graph-lookups';
import {
  deleteSiteLoadLimit,
  findSiteLoadLimit,
  saveSiteLoadLimit,
} from '../../../db/site-load-store';
import { isRejection } from '../../../twins/errors';
import { allocate, type LoadPolicy, type SiteLimit } from '../../../twins/smart-charging';
import { querySiteLoad, removeSiteLoad, setSiteLoad } from '../../../workflows/site-load/client';
import {
  DEFAULT_RELEASE_DELAY_MS,
  type SiteLoadSettings,
  type SiteLoadStep,
  type SiteLoadView,
} from '../../../workflows/site-load/messages';
import { apiError, fromTemporal } from '../../errors';
import type { ApiContext } from '../resolvers';

interface SetInput {
  tenantId: string;
  siteId: string;
  limit: number;
  unit: 'W' | 'A';
  phases?: number | null;
  policy?: 'EQUAL_SHARE' | 'PRIORITY' | null;
  minimumPerSession?: number | null;
  priorities?: Array<{ connector?: string | null; token?: string | null; priority: number }> | null;
  releaseDelaySeconds?: number | null;
}

function settingsOf(input: SetInput): SiteLoadSettings {
  if (input.unit === 'A' && input.phases !== 1 && input.phases !== 3)
    throw apiError('twin:smart-charging.limit-invalid', 'a limit in A needs phases: 1 or 3');
  const limit: SiteLimit =
    input.unit === 'A'
      ? { unit: 'A', value: input.limit, phases: input.phases as 1 | 3 }
      : { unit: 'W', value: input.limit };
  const connectors: Record<string, number> = {};
  const tokens: Record<string, number> = {};
  for (const p of input.priorities ?? []) {
    if ((p.connector ? 1 : 0) + (p.token ? 1 : 0) !== 1)
      throw apiError(
        'twin:smart-charging.policy-invalid',
        'a priority names a connector or a token',
      );
    if (p.connector) connectors[p.connector] = p.priority;
    if (p.token) tokens[p.token] = p.priority;
  }
  const policy: LoadPolicy = {
    kind: input.policy === 'PRIORITY' ? 'priority' : 'equal-share',
    ...(input.minimumPerSession != null ? { minimumPerSession: input.minimumPerSession } : {}),
    priorities: { connectors, tokens },
  };
  const delay = input.releaseDelaySeconds;
  if (delay != null && (!Number.isFinite(delay) || delay < 0))
    throw apiError('twin:smart-charging.release-delay-invalid', 'releaseDelaySeconds is ≥ 0');
  const settings = {
    limit,
    policy,
    releaseDelayMs: delay != null ? Math.round(delay * 1000) : DEFAULT_RELEASE_DELAY_MS,
  };
  const judged = allocate({ limit, policy, sessions: [] });
  if (isRejection(judged)) throw apiError(judged.code, judged.message);
  return settings;
}

/** A step as the API shows it; steps from before the TxDefaultProfile lack its fields. */
const stepOf = (step: SiteLoadStep) => ({
  ...step,
  at: new Date(step.at),
  startLimit: step.startLimit ?? 0,
  reserved: step.reserved ?? 0,
  stationProfiles: (step.stationProfiles ?? []).map((p) => ({
    ...p,
    action: p.action === 'clear' ? 'CLEAR' : 'SET_DEFAULT',
  })),
});

async function siteLoadView(
  ctx: ApiContext,
  site: { tenantId: string; siteId: string },
  /** The manager's last answer, when it has ended (a removed limit). */
  ended?: SiteLoadView | null,
) {
  const saved = await findSiteLoadLimit(ctx.database, site);
  if (!saved) return null;
  const live = ended !== undefined ? ended : await querySiteLoad(ctx.temporal, site);
  return {
    siteId: site.siteId,
    limit: saved.limit.value,
    unit: saved.limit.unit,
    phases: saved.limit.unit === 'A' ? saved.limit.phases : null,
    policy: saved.policy.kind === 'priority' ? 'PRIORITY' : 'EQUAL_SHARE',
    minimumPerSession: saved.policy.minimumPerSession ?? null,
    releaseDelaySeconds: saved.releaseDelayMs / 1000,
    updatedBy: saved.updatedBy,
    updatedAt: new Date(saved.updatedAt),
    shares: live?.shares ?? [],
    history: (live?.history ?? []).map(stepOf),
  };
}

export const siteLoadResolvers = {
  Query: {
    siteLoad: (_: unknown, args: { tenantId: string; siteId: string }, ctx: ApiContext) =>
      siteLoadView(ctx, args),
  },
  Mutation: {
    setSiteLoadLimit: async (_: unknown, { input }: { input: SetInput }, ctx: ApiContext) => {
      const site = { tenantId: input.tenantId, siteId: input.siteId };
      const [found] = await sitesByIds(ctx.database, site.tenantId, [site.siteId]);
      if (!found) throw apiError('graph:site.not-found', `site ${site.siteId} does not exist`);
      const settings = settingsOf(input);
      try {
        await setSiteLoad(ctx.temporal, site, settings);
      } catch (error) {
        throw fromTemporal(error, `site ${site.siteId}`);
      }
      await saveSiteLoadLimit(ctx.database, site, settings, ctx.principal.actor);
      return siteLoadView(ctx, site);
    },
    removeSiteLoadLimit: async (
      _: unknown,
      site: { tenantId: string; siteId: string },
      ctx: ApiContext,
    ) => {
      // The manager clears first and the row goes once it answered: a failure in between leaves
      // the limit in place, to be removed again.
      let ended: SiteLoadView | null;
      try {
        ended = await removeSiteLoad(ctx.temporal, site);
      } catch (error) {
        throw fromTemporal(error, `site ${site.siteId}`);
      }
      const view = await siteLoadView(ctx, site, ended);
      await deleteSiteLoadLimit(ctx.database, site);
      return view;
    },
  },
};

import type { ApiContext } from '../resolvers';

/** The Temporal UI's base URL and the namespace, as the API was configured. */
export interface TemporalUiLink {
  url: string;
  namespace: string;
}

export const temporalUiResolvers = {
  Me: {
    // A partner is an integration outside the operator's house: Temporal UI is the operators'
    // tool, and its address is theirs to give.
    temporalUi: (_: unknown, __: unknown, ctx: ApiContext): TemporalUiLink | null =>
      ctx.principal.role === 'partner' ? null : (ctx.temporalUi ?? null),
  },
};

import {
  findOcpiSettings,
  setOcpiSettings,
  type UnansweredAuthorization,
} from '../../db/ocpi-settings-store';
import { requireId } from './graph/input';
import type { ApiContext } from './resolvers';

export const ocpiSettingsResolvers = {
  Query: {
    ocpiSettings: (_: unknown, args: { tenantId: string }, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      return findOcpiSettings(ctx.database, args.tenantId);
    },
  },
  Mutation: {
    setOcpiSettings: (
      _: unknown,
      args: { tenantId: string; unansweredAuthorization: UnansweredAuthorization },
      ctx: ApiContext,
    ) => {
      requireId('tenantId', args.tenantId);
      return setOcpiSettings(ctx.database, args.tenantId, {
        unansweredAuthorization: args.unansweredAuthorization,
      });
    },
  },
};

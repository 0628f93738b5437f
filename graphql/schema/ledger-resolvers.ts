import { readCheckpoints, readLedger, readLedgerKeys } from '../../db/ledger-checkpoints';
import { apiError } from '../errors';
import type { ApiContext } from './resolvers';

type Page = { tenantId: string; afterSeq: number; first: number };

function checked({ afterSeq, first }: Page): void {
  if (!Number.isInteger(afterSeq) || afterSeq < 0)
    throw apiError('api:input.invalid-seq', 'afterSeq must be a whole number ≥ 0');
  if (!Number.isInteger(first) || first < 1 || first > 500)
    throw apiError('api:input.invalid-page-size', `first must be between 1 and 500, got ${first}`);
}

export const ledgerResolvers = {
  Query: {
    ledgerEntries: (_: unknown, args: Page, ctx: ApiContext) => {
      checked(args);
      return readLedger(ctx.database, args.tenantId, args.afterSeq, args.first);
    },
    ledgerCheckpoints: (_: unknown, args: Page, ctx: ApiContext) => {
      checked(args);
      return readCheckpoints(ctx.database, args.tenantId, args.afterSeq, args.first);
    },
    // Keys are the installation's, not a tenant's: every tenant may read them.
    ledgerKeys: (_: unknown, __: { tenantId: string }, ctx: ApiContext) =>
      readLedgerKeys(ctx.database),
  },
};

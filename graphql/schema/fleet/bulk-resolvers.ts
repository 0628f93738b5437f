import {
  bulkCounts,
  findBulk,
  listBulkRows,
  type BulkKey,
  type BulkRowStatus,
} from '../../../db/bulk-provisioning-store';
import { apiError } from '../../errors';
import { requireId } from '../graph/input';
import type { ApiContext } from '../resolvers';
import { readBulkFile, type BulkFormat } from './bulk-file';
import { acceptBulk } from './bulk-submission';

const upper = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v.toUpperCase().replace(/-/g, '_'), v]));

type Counts = Awaited<ReturnType<typeof bulkCounts>>;

export const bulkProvisioningResolvers = {
  BulkFileFormat: { CSV: 'csv', JSON: 'json' },
  BulkProvisioningStatus: upper(['submitting', 'submitted']),
  BulkRowStatus: upper([
    'pending',
    'registered',
    'started',
    'already-registered',
    'already-provisioned',
    'refused',
    'failed',
  ]),
  BulkProvisioningCounts: {
    pending: (c: Counts) => c.rows.pending,
    registered: (c: Counts) => c.rows.registered,
    started: (c: Counts) => c.rows.started,
    alreadyRegistered: (c: Counts) => c.rows['already-registered'],
    alreadyProvisioned: (c: Counts) => c.rows['already-provisioned'],
    refused: (c: Counts) => c.rows.refused,
    failed: (c: Counts) => c.rows.failed,
    submitted: (c: Counts) => Object.values(c.rows).reduce((a, b) => a + b, 0) - c.rows.pending,
    admitting: (c: Counts) => c.provisioning.admitting,
    awaitingActivation: (c: Counts) => c.provisioning['awaiting-activation'],
    active: (c: Counts) => c.provisioning.active,
    provisioningRefused: (c: Counts) => c.provisioning.refused,
    provisioningFailed: (c: Counts) => c.provisioning.failed,
    settled: (c: Counts) =>
      c.rows['already-provisioned'] +
      c.rows['already-registered'] +
      c.rows.refused +
      c.rows.failed +
      (c.provisioning.active ?? 0) +
      (c.provisioning.refused ?? 0) +
      (c.provisioning.failed ?? 0),
  },
  BulkProvisioning: {
    counts: (bulk: BulkKey, _: unknown, ctx: ApiContext) => bulkCounts(ctx.database, bulk),
    rows: (
      bulk: BulkKey,
      args: {
        first: number;
        after?: number | null;
        status?: BulkRowStatus | null;
        provisioningStatus?: string | null;
      },
      ctx: ApiContext,
    ) =>
      listBulkRows(ctx.database, bulk, {
        first: Math.max(0, Math.min(args.first, 1_000)),
        after: args.after ?? -1,
        ...(args.status ? { status: args.status } : {}),
        ...(args.provisioningStatus ? { provisioningStatus: args.provisioningStatus } : {}),
      }),
  },
  Query: {
    bulkProvisioning: (_: unknown, args: BulkKey, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      requireId('bulkId', args.bulkId);
      return findBulk(ctx.database, args);
    },
  },
  Mutation: {
    provisionDevices: async (
      _: unknown,
      {
        input,
      }: {
        input: {
          tenantId: string;
          format: BulkFormat;
          content: string;
          defaults?: Record<string, unknown> | null;
        };
      },
      ctx: ApiContext,
    ) => {
      requireId('tenantId', input.tenantId);
      const read = readBulkFile(input.format, input.content, input.defaults ?? {});
      if (!('rows' in read))
        throw apiError(read.code, read.message, {
          errors: read.errors,
          errorCount: read.errorCount,
        });
      return acceptBulk(ctx, input.tenantId, ctx.principal.actor, read.rows);
    },
  },
};

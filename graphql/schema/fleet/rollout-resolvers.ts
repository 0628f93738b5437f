import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { findRollout, listRolloutDevices, rolloutCounts } from '../../../db/rollout-store';
import {
  bulkCommandConfigSchema,
  rolloutConfigSchema,
  type OperationConfig,
} from '../../../twins/rollout/config';
import {
  controlRollout,
  startRollout,
  type RolloutControl,
} from '../../../workflows/rollout/client';
import { apiError } from '../../errors';
import { requireId } from '../graph/input';
import type { ApiContext } from '../resolvers';

const ACTOR = 'api';
const upper = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v.toUpperCase(), v]));

type Row = NonNullable<Awaited<ReturnType<typeof findRollout>>>;

function control(kind: RolloutControl) {
  return async (
    _: unknown,
    { input }: { input: { tenantId: string; rolloutId: string; reason?: string | null } },
    ctx: ApiContext,
  ) => {
    requireId('tenantId', input.tenantId);
    requireId('rolloutId', input.rolloutId);
    const notRunning = () =>
      apiError(
        'rollout:not-running',
        `no running rollout ${input.rolloutId} in tenant ${input.tenantId}`,
      );
    // An ended rollout may still be closing its workflow: its recorded status decides.
    const row = await findRollout(ctx.database, input.tenantId, input.rolloutId);
    if (!row || row.status === 'aborted' || row.status === 'completed') throw notRunning();
    try {
      await controlRollout(ctx.temporal, row.workflowId, kind, input.reason ?? undefined);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw notRunning();
      throw error;
    }
    return true;
  };
}

/** Starts an operation from a configuration validated by `schema`. */
function start(schema: z.ZodType<OperationConfig>, what: string) {
  return async (
    _: unknown,
    args: { tenantId: string; config: Record<string, unknown> },
    ctx: ApiContext,
  ) => {
    requireId('tenantId', args.tenantId);
    const config = schema.safeParse(args.config);
    if (!config.success)
      throw apiError(
        'rollout:config.invalid',
        `invalid ${what} configuration:\n${z.prettifyError(config.error)}`,
      );
    return startRollout(ctx.temporal, {
      tenantId: args.tenantId,
      actor: ACTOR,
      config: config.data,
    });
  };
}

export const rolloutResolvers = {
  RolloutStatus: upper(['running', 'paused', 'aborting', 'aborted', 'completed']),
  RolloutDeviceStatus: upper(['pending', 'skipped', 'commanded', 'succeeded', 'failed', 'aborted']),
  Rollout: {
    counts: (row: Row, _: unknown, ctx: ApiContext) =>
      rolloutCounts(ctx.database, row.tenantId, row.rolloutId),
    devices: (row: Row, args: { first: number }, ctx: ApiContext) =>
      listRolloutDevices(
        ctx.database,
        row.tenantId,
        row.rolloutId,
        Math.max(0, Math.min(args.first, 10_000)),
      ),
  },
  Query: {
    rollout: (_: unknown, args: { tenantId: string; rolloutId: string }, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      requireId('rolloutId', args.rolloutId);
      return findRollout(ctx.database, args.tenantId, args.rolloutId);
    },
  },
  Mutation: {
    startRollout: start(rolloutConfigSchema, 'rollout'),
    startBulkCommand: start(bulkCommandConfigSchema, 'bulk command'),
    pauseRollout: control('pause'),
    resumeRollout: control('resume'),
    abortRollout: control('abort'),
    retryFailedRollout: control('retry-failed'),
  },
};

import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { rolloutHealthChecks } from '../../../db/rollout-health';
import { rolloutDevicePage } from '../../../db/rollout-pages';
import { findRollout, type rolloutCounts } from '../../../db/rollout-store';
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
import { ROLLOUT_DEVICE_STATUSES, type RolloutDeviceStatus } from '../../../twins/rollout/plan';
import { apiError } from '../../errors';
import { requireId } from '../graph/input';
import type { ApiContext } from '../resolvers';
import { rolloutCountsOf } from './rollout-counts';
import { rolloutProgress } from './rollout-progress';

/** How long a start waits for the workflow's first record (a busy worker takes a moment). */
const RECORD_WAIT_MS = 10_000;
const upper = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v.toUpperCase(), v]));

type Row = NonNullable<Awaited<ReturnType<typeof findRollout>>>;
type RolloutCounts = Awaited<ReturnType<typeof rolloutCounts>>;
/** A rollout as resolved: a subscription event brings its counts along. */
type CountedRow = Row & { counts?: RolloutCounts | Promise<RolloutCounts> };

/**
 * A rollout's counts, read once per rollout object however many fields need them (and for a
 * page of rollouts in one statement).
 */
const countsOf = (row: CountedRow, _: unknown, ctx: ApiContext) =>
  (row.counts ??= rolloutCountsOf(ctx, row.tenantId, row.rolloutId));

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
    return {
      rolloutId: input.rolloutId,
      workflowId: row.workflowId,
      accepted: true,
      rollout: (await findRollout(ctx.database, input.tenantId, input.rolloutId)) ?? row,
    };
  };
}

/**
 * A GraphQL null in an optional input field means "not given", as zod reads a missing key;
 * a command's params are the command's data and stay as sent.
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => field !== null)
      .map(([key, field]) => [key, key === 'params' ? field : withoutNulls(field)]),
  );
}

/** Starts an operation from a configuration validated by `schema` (the one judge of it). */
/**
 * Starts a rollout or bulk command from its typed input (`typed`: `rollout` or `command`) or,
 * for clients written before it, the same configuration as JSON (`config`, deprecated).
 */
function start(schema: z.ZodType<OperationConfig>, what: string, typed: 'rollout' | 'command') {
  return async (
    _: unknown,
    args: { tenantId: string } & Partial<
      Record<'rollout' | 'command' | 'config', Record<string, unknown> | null>
    >,
    ctx: ApiContext,
  ) => {
    requireId('tenantId', args.tenantId);
    const given = [args[typed], args.config].filter((v) => v !== undefined && v !== null);
    if (given.length !== 1)
      throw apiError(
        'rollout:config.invalid',
        `give the ${what} configuration once: ${typed} (typed) or config (JSON, deprecated)`,
      );
    const config = schema.safeParse(withoutNulls(given[0]!));
    // Each issue with its field's path too, so a form can show it beside the field.
    if (!config.success)
      throw apiError(
        'rollout:config.invalid',
        `invalid ${what} configuration:\n${z.prettifyError(config.error)}`,
        {
          issues: config.error.issues.map((i) => ({
            path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
            message: i.message,
          })),
        },
      );
    const started = await startRollout(ctx.temporal, {
      tenantId: args.tenantId,
      actor: ctx.principal.actor,
      config: config.data,
    });
    // Answer once the rollout is on record, so a query or subscription right after finds it.
    const deadline = Date.now() + RECORD_WAIT_MS;
    while (
      !(await findRollout(ctx.database, args.tenantId, config.data.id)) &&
      Date.now() < deadline
    )
      await new Promise((resolve) => setTimeout(resolve, 100));
    return started;
  };
}

export const rolloutResolvers = {
  RolloutStatus: upper([
    'scheduled',
    'running',
    'waiting',
    'paused',
    'aborting',
    'aborted',
    'completed',
  ]),
  RolloutDeviceStatus: upper(ROLLOUT_DEVICE_STATUSES),
  RolloutHealthStatus: upper(['baking', 'passed', 'failed', 'inconclusive']),
  Rollout: {
    healthChecks: (row: Row, _: unknown, ctx: ApiContext) =>
      rolloutHealthChecks(ctx.database, row.tenantId, row.rolloutId),
    counts: countsOf,
    targeted: async (row: CountedRow, _: unknown, ctx: ApiContext) =>
      Object.values(await countsOf(row, _, ctx)).reduce((a, b) => a + b, 0),
    devices: (
      row: Row,
      args: { first: number; after?: number | null; status?: RolloutDeviceStatus | null },
      ctx: ApiContext,
    ) =>
      rolloutDevicePage(ctx.database, row, {
        first: Math.max(0, Math.min(args.first, 10_000)),
        afterPosition: args.after ?? -1,
        ...(args.status ? { status: args.status } : {}),
      }),
  },
  Query: {
    rollout: (_: unknown, args: { tenantId: string; rolloutId: string }, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      requireId('rolloutId', args.rolloutId);
      return findRollout(ctx.database, args.tenantId, args.rolloutId);
    },
  },
  Subscription: {
    rolloutProgress: {
      subscribe: (_: unknown, args: { tenantId: string; rolloutId: string }, ctx: ApiContext) => {
        requireId('tenantId', args.tenantId);
        requireId('rolloutId', args.rolloutId);
        return rolloutProgress(ctx, args.tenantId, args.rolloutId);
      },
    },
  },
  Mutation: {
    startRollout: start(rolloutConfigSchema, 'rollout', 'rollout'),
    startBulkCommand: start(bulkCommandConfigSchema, 'bulk command', 'command'),
    pauseRollout: control('pause'),
    resumeRollout: control('resume'),
    abortRollout: control('abort'),
    retryFailedRollout: control('retry-failed'),
  },
};

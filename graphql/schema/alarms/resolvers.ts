import DataLoader from 'dataloader';
import {
  alarmRuleHistory,
  changeAlarmRule,
  createAlarmRule,
  findAlarmRule,
  listAlarmRules,
  removeAlarmRule,
  type StoredAlarmRule,
} from '../../../db/alarm-rule-store';
import {
  acknowledgeAlarm,
  activeAlarmCounts,
  alarmCommentsOf,
  assignAlarm,
  clearAlarm,
  commentOnAlarm,
  countAlarms,
  findAlarm,
  listAlarms,
  noAlarms,
  type AlarmCounts,
  type AlarmCursor,
  type AlarmFilter,
  type AlarmHolder,
  type AlarmRow,
} from '../../../db/alarm-store';
import type { Database } from '../../../db/client';
import {
  alarmRuleSchema,
  SEVERITIES,
  type AlarmRule,
  type Severity,
} from '../../../twins/alarms/rule';
import { apiError } from '../../errors';
import { parsedOrRefused, refusedAs } from './refusals';
import { pageRequest, type PageArgs } from '../graph/connection';
import { requireId } from '../graph/input';
import type { ApiContext } from '../resolvers';

const MAX_COMMENT = 4_000;
const MAX_ASSIGNEE = 128;

/** A rule from the API, checked: every issue with its path (`alarm-rule.invalid`). */
const parseRule = (json: unknown): AlarmRule =>
  parsedOrRefused(alarmRuleSchema, json, 'alarm-rule.invalid', 'alarm rule');

function alarmIdOf(value: string): number {
  if (!/^[1-9]\d{0,14}$/.test(value))
    throw apiError('api:input.invalid-alarm-id', `${value} is not an alarm id`, {
      field: 'alarmId',
    });
  return Number(value);
}

// A cursor: base64url of the alarm's raise time and id (the listing's order).
const cursorOf = (row: AlarmRow) =>
  Buffer.from(`${row.raisedAt}|${row.alarmId}`, 'utf8').toString('base64url');

function afterOf(cursor: string | null): AlarmCursor | null {
  if (cursor === null) return null;
  const [raisedAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!raisedAt || !id || Number.isNaN(Date.parse(raisedAt)) || !/^\d{1,15}$/.test(id))
    throw apiError('api:input.invalid-cursor', `${cursor} is not a cursor of this listing`);
  return { raisedAt, alarmId: Number(id) };
}

interface AlarmFilterInput {
  status?: 'active' | 'cleared' | null;
  severity?: Severity[] | null;
  deviceId?: string | null;
  assetId?: string | null;
  siteId?: string | null;
  customerId?: string | null;
  ruleId?: string | null;
  acknowledged?: boolean | null;
}

const alarmFilter = (input: AlarmFilterInput | null | undefined): AlarmFilter =>
  Object.fromEntries(
    Object.entries(input ?? {}).filter(([, v]) => v !== null && v !== undefined),
  ) as AlarmFilter;

const ruleView = (tenantId: string, stored: StoredAlarmRule) => ({
  tenantId,
  ...stored,
  name: stored.rule.name,
  alarmType: stored.rule.alarmType,
  severity: stored.rule.severity,
  enabled: stored.rule.enabled,
});
type RuleView = ReturnType<typeof ruleView>;

const alarmView = (row: AlarmRow) => ({ ...row, alarmId: String(row.alarmId) });
type AlarmView = ReturnType<typeof alarmView>;

// Counts up the graph: one statement per kind of parent and request (DataLoader).
const perRequest = new WeakMap<object, Map<AlarmHolder, DataLoader<string, AlarmCounts>>>();

function countsOf(ctx: ApiContext, holder: AlarmHolder, tenantId: string, id: string) {
  let loaders = perRequest.get(ctx);
  if (!loaders) perRequest.set(ctx, (loaders = new Map()));
  let loader = loaders.get(holder);
  if (!loader) {
    loader = countLoader(ctx.database, holder);
    loaders.set(holder, loader);
  }
  return loader.load(`${tenantId}\u0000${id}`);
}

function countLoader(database: Database, holder: AlarmHolder) {
  return new DataLoader<string, AlarmCounts>(async (keys) => {
    const byTenant = new Map<string, string[]>();
    for (const key of keys) {
      const [tenantId, id] = key.split('\u0000') as [string, string];
      byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), id]);
    }
    const found = new Map<string, AlarmCounts>();
    for (const [tenantId, ids] of byTenant)
      for (const [id, counts] of await activeAlarmCounts(database, tenantId, holder, ids))
        found.set(`${tenantId}\u0000${id}`, counts);
    return keys.map((k) => found.get(k) ?? noAlarms());
  });
}

/** The `alarmCounts` field of a device, asset, site or customer (its id under `key`). */
const counted = <K extends string>(holder: AlarmHolder, key: K) => ({
  alarmCounts: (parent: { tenantId: string } & Record<K, string>, _: unknown, ctx: ApiContext) =>
    countsOf(ctx, holder, parent.tenantId, parent[key]),
});

type TenantArgs = { tenantId: string };
type RuleArgs = TenantArgs & { ruleId: string };
type AlarmArgs = TenantArgs & { alarmId: string };

const actorOf = (ctx: ApiContext, tenantId: string) => ({
  tenantId,
  actor: ctx.principal.actor,
  role: ctx.principal.role,
});

function ruleChange(ctx: ApiContext, args: RuleArgs) {
  requireId('tenantId', args.tenantId);
  requireId('ruleId', args.ruleId);
  return { ...actorOf(ctx, args.tenantId), ruleId: args.ruleId };
}

/** An operator's change of an alarm, answered with the alarm as it is now. */
function alarmChange(
  ctx: ApiContext,
  args: AlarmArgs,
  change: (who: ReturnType<typeof actorOf>, alarmId: number) => Promise<AlarmRow>,
) {
  requireId('tenantId', args.tenantId);
  const alarmId = alarmIdOf(args.alarmId);
  return refusedAs(async () => alarmView(await change(actorOf(ctx, args.tenantId), alarmId)));
}

export const alarmResolvers = {
  AlarmSeverity: Object.fromEntries(SEVERITIES.map((s) => [s.toUpperCase(), s])),
  AlarmStatus: { ACTIVE: 'active', CLEARED: 'cleared' },
  AlarmRule: {
    history: async (rule: RuleView, _: unknown, ctx: ApiContext) =>
      alarmRuleHistory(ctx.database, rule.tenantId, rule.ruleId),
  },
  Alarm: {
    comments: async (alarm: AlarmView, _: unknown, ctx: ApiContext) =>
      (await alarmCommentsOf(ctx.database, alarm.tenantId, Number(alarm.alarmId))).map((c) => ({
        ...c,
        commentId: String(c.commentId),
      })),
  },
  Device: counted('device', 'deviceId'),
  Asset: counted('asset', 'assetId'),
  Site: counted('site', 'siteId'),
  Customer: counted('customer', 'customerId'),
  Query: {
    alarmRules: async (_: unknown, args: TenantArgs, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      return (await listAlarmRules(ctx.database, args.tenantId)).map((r) =>
        ruleView(args.tenantId, r),
      );
    },
    alarmRule: async (_: unknown, args: RuleArgs, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      requireId('ruleId', args.ruleId);
      const stored = await findAlarmRule(ctx.database, args.tenantId, args.ruleId);
      return stored && ruleView(args.tenantId, stored);
    },
    alarms: async (
      _: unknown,
      args: TenantArgs & PageArgs & { filter?: AlarmFilterInput | null },
      ctx: ApiContext,
    ) => {
      requireId('tenantId', args.tenantId);
      const { first } = pageRequest({ first: args.first ?? null });
      const after = afterOf(args.after ?? null);
      const filter = alarmFilter(args.filter);
      const rows = await listAlarms(ctx.database, args.tenantId, filter, { first, after });
      const edges = rows.slice(0, first).map((r) => ({ cursor: cursorOf(r), node: alarmView(r) }));
      return {
        edges,
        nodes: edges.map((e) => e.node),
        pageInfo: {
          hasNextPage: rows.length > first,
          hasPreviousPage: after !== null,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
        totalCount: () => countAlarms(ctx.database, args.tenantId, filter),
      };
    },
    alarm: async (_: unknown, args: AlarmArgs, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      const row = await findAlarm(ctx.database, args.tenantId, alarmIdOf(args.alarmId));
      return row && alarmView(row);
    },
  },
  Mutation: {
    createAlarmRule: (
      _: unknown,
      args: RuleArgs & { rule: Record<string, unknown> },
      ctx: ApiContext,
    ) => {
      const change = ruleChange(ctx, args);
      const rule = parseRule(args.rule);
      return refusedAs(async () =>
        ruleView(args.tenantId, await createAlarmRule(ctx.database, change, rule)),
      );
    },
    updateAlarmRule: (
      _: unknown,
      args: RuleArgs & { version: number; rule: Record<string, unknown> },
      ctx: ApiContext,
    ) => {
      const change = ruleChange(ctx, args);
      const rule = parseRule(args.rule);
      return refusedAs(async () =>
        ruleView(args.tenantId, (await changeAlarmRule(ctx.database, change, args.version, rule))!),
      );
    },
    deleteAlarmRule: (_: unknown, args: RuleArgs & { version: number }, ctx: ApiContext) => {
      const change = ruleChange(ctx, args);
      return refusedAs(async () => ({
        ruleId: args.ruleId,
        ...(await removeAlarmRule(ctx.database, change, args.version)),
      }));
    },
    acknowledgeAlarm: (_: unknown, args: AlarmArgs, ctx: ApiContext) =>
      alarmChange(ctx, args, (who, id) => acknowledgeAlarm(ctx.database, who, id)),
    assignAlarm: (_: unknown, args: AlarmArgs & { assignee?: string | null }, ctx: ApiContext) => {
      const assignee = args.assignee?.trim() || null;
      if (assignee !== null && assignee.length > MAX_ASSIGNEE)
        throw apiError('api:input.too-long', `assignee: at most ${MAX_ASSIGNEE} characters`);
      return alarmChange(ctx, args, (who, id) => assignAlarm(ctx.database, who, id, assignee));
    },
    commentOnAlarm: async (_: unknown, args: AlarmArgs & { text: string }, ctx: ApiContext) => {
      const text = args.text.trim();
      if (text === '') throw apiError('api:input.empty-comment', 'a comment needs some text');
      if (text.length > MAX_COMMENT)
        throw apiError('api:input.too-long', `a comment: at most ${MAX_COMMENT} characters`);
      requireId('tenantId', args.tenantId);
      const alarmId = alarmIdOf(args.alarmId);
      const { alarm, comment } = await refusedAs(() =>
        commentOnAlarm(ctx.database, actorOf(ctx, args.tenantId), alarmId, text),
      );
      return {
        alarm: alarmView(alarm),
        comment: { ...comment, commentId: String(comment.commentId) },
      };
    },
    clearAlarm: (_: unknown, args: AlarmArgs, ctx: ApiContext) =>
      alarmChange(ctx, args, (who, id) => clearAlarm(ctx.database, who, id)),
  },
};

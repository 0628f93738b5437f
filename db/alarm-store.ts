import { and, asc, count, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import { SEVERITIES, type Severity } from '../twins/alarms/rule';
import { DoppelError } from '../twins/errors';
import type { Database } from './client';
import { ALARM_STATES_CHANNEL } from './alarm-steady';
import { recordAlarmEvents, type AlarmTransitionRecord } from './alarm-events';
import { writeAudit } from './audit-writer';
import { alarmComments, alarms, alarmStates } from './schema';

type Tx = PgTransaction<any, any, any>;
export type AlarmRow = typeof alarms.$inferSelect;
export type AlarmCommentRow = typeof alarmComments.$inferSelect;

/** Who acts on an alarm (an operator through the API): the actor and role of the audit entry. */
export interface AlarmActor {
  readonly tenantId: string;
  readonly actor: string;
  readonly role: string;
}

export interface AlarmFilter {
  readonly status?: 'active' | 'cleared';
  readonly severity?: readonly Severity[];
  readonly deviceId?: string;
  readonly assetId?: string;
  readonly siteId?: string;
  readonly customerId?: string;
  readonly ruleId?: string;
  readonly acknowledged?: boolean;
}

/** Where a page starts: after the alarm with this raise time and id (the listing's order). */
export interface AlarmCursor {
  readonly raisedAt: string;
  readonly alarmId: number;
}

function where(tenantId: string, filter: AlarmFilter): SQL | undefined {
  return and(
    eq(alarms.tenantId, tenantId),
    filter.status ? eq(alarms.status, filter.status) : undefined,
    filter.severity?.length ? inArray(alarms.severity, [...filter.severity]) : undefined,
    filter.deviceId ? eq(alarms.deviceId, filter.deviceId) : undefined,
    filter.assetId ? eq(alarms.assetId, filter.assetId) : undefined,
    filter.siteId ? eq(alarms.siteId, filter.siteId) : undefined,
    filter.customerId ? eq(alarms.customerId, filter.customerId) : undefined,
    filter.ruleId ? eq(alarms.ruleId, filter.ruleId) : undefined,
    filter.acknowledged === undefined ? undefined : eq(alarms.acknowledged, filter.acknowledged),
  );
}

/** A tenant's alarms, newest raised first (keyset: `after` is the last one already seen). */
export async function listAlarms(
  database: Database,
  tenantId: string,
  filter: AlarmFilter,
  page: { first: number; after: AlarmCursor | null },
): Promise<AlarmRow[]> {
  const { after } = page;
  return database.db
    .select()
    .from(alarms)
    .where(
      and(
        where(tenantId, filter),
        after
          ? or(
              lt(alarms.raisedAt, after.raisedAt),
              and(eq(alarms.raisedAt, after.raisedAt), lt(alarms.alarmId, after.alarmId)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(alarms.raisedAt), desc(alarms.alarmId))
    .limit(page.first + 1);
}

export async function countAlarms(
  database: Database,
  tenantId: string,
  filter: AlarmFilter,
): Promise<number> {
  const [row] = await database.db
    .select({ n: count() })
    .from(alarms)
    .where(where(tenantId, filter));
  return row?.n ?? 0;
}

export async function findAlarm(
  database: Database,
  tenantId: string,
  alarmId: number,
): Promise<AlarmRow | null> {
  const [row] = await database.db
    .select()
    .from(alarms)
    .where(and(eq(alarms.tenantId, tenantId), eq(alarms.alarmId, alarmId)));
  return row ?? null;
}

/** An alarm's comments, oldest first. */
export async function alarmCommentsOf(
  database: Database,
  tenantId: string,
  alarmId: number,
): Promise<AlarmCommentRow[]> {
  return database.db
    .select()
    .from(alarmComments)
    .where(and(eq(alarmComments.tenantId, tenantId), eq(alarmComments.alarmId, alarmId)))
    .orderBy(asc(alarmComments.at), asc(alarmComments.commentId));
}

/**
 * Runs an operator's change of one alarm: the row locked, checked by `change` (which throws a
 * DoppelError to refuse), updated, and an audit entry chained into the ledger, in one
 * transaction. The entry reads like the rule's own (`alarm.<kind>`, subject the device).
 */
async function changeAlarm(
  database: Database,
  who: AlarmActor,
  alarmId: number,
  kind: string,
  change: (
    tx: Tx,
    alarm: AlarmRow,
    at: string,
  ) => Promise<{ set?: Partial<AlarmRow>; detail?: Record<string, unknown> }>,
  options: { lockWindowFirst?: boolean } = {},
): Promise<AlarmRow> {
  const at = new Date().toISOString();
  return database.db.transaction(async (tx) => {
    // The ingest path locks a window (alarm_states) before its alarm: so does a change of both.
    if (options.lockWindowFirst)
      await tx
        .select({ ruleId: alarmStates.ruleId })
        .from(alarmStates)
        .innerJoin(
          alarms,
          and(
            eq(alarms.tenantId, alarmStates.tenantId),
            eq(alarms.deviceId, alarmStates.deviceId),
            eq(alarms.ruleId, alarmStates.ruleId),
          ),
        )
        .where(and(eq(alarms.tenantId, who.tenantId), eq(alarms.alarmId, alarmId)))
        .for('update', { of: alarmStates });
    const [alarm] = await tx
      .select()
      .from(alarms)
      .where(and(eq(alarms.tenantId, who.tenantId), eq(alarms.alarmId, alarmId)))
      .for('update');
    if (!alarm) throw new DoppelError('alarm.not-found', `no alarm ${alarmId}`);
    const { set = {}, detail = {} } = await change(tx, alarm, at);
    const [row] = await tx
      .update(alarms)
      .set({ ...set, updatedAt: at })
      .where(eq(alarms.alarmId, alarmId))
      .returning();
    await writeAudit(tx, [
      {
        tenantId: who.tenantId,
        actor: who.actor,
        role: who.role,
        operation: `alarm.${kind}`,
        subject: `device:${alarm.deviceId}`,
        input: { alarmId, ruleId: alarm.ruleId, ...detail },
        outcome: 'ok',
        before: lifecycleOf(alarm),
        after: lifecycleOf(row!),
        at,
      },
    ]);
    const type = EVENT_OF[kind];
    if (type)
      await recordAlarmEvents(tx, [
        {
          tenantId: who.tenantId,
          alarm: row!,
          type,
          at,
          actor: who.actor,
          ...(kind === 'assign' ? { from: alarm.assignee, to: row!.assignee } : {}),
        },
      ]);
    return row!;
  });
}

/** The alarm event each operator's change records (a comment is no transition). */
const EVENT_OF: Record<string, AlarmTransitionRecord['type'] | undefined> = {
  acknowledge: 'acknowledged',
  assign: 'assigned',
  clear: 'cleared',
};

const lifecycleOf = (a: AlarmRow) => ({
  status: a.status,
  severity: a.severity,
  acknowledged: a.acknowledged,
  assignee: a.assignee,
});

function requireActive(alarm: AlarmRow, what: string): void {
  if (alarm.status !== 'active')
    throw new DoppelError('alarm.not-active', `alarm ${alarm.alarmId} is cleared: ${what}`, {
      hint: 'a cleared alarm stays as it was; a new breach raises a new one',
    });
}

/**
 * Acknowledges an alarm (someone is on it). A cleared alarm not yet acknowledged may be, too
 * (as ThingsBoard's CLEARED_UNACK); acknowledging twice is refused (`alarm.already-acknowledged`).
 */
export function acknowledgeAlarm(database: Database, who: AlarmActor, alarmId: number) {
  return changeAlarm(database, who, alarmId, 'acknowledge', async (_tx, alarm, at) => {
    if (alarm.acknowledged)
      throw new DoppelError(
        'alarm.already-acknowledged',
        `alarm ${alarmId} was acknowledged by ${alarm.acknowledgedBy} at ${alarm.acknowledgedAt}`,
      );
    return { set: { acknowledged: true, acknowledgedBy: who.actor, acknowledgedAt: at } };
  });
}

/** Assigns an active alarm to someone (null: to nobody). */
export function assignAlarm(
  database: Database,
  who: AlarmActor,
  alarmId: number,
  assignee: string | null,
) {
  return changeAlarm(database, who, alarmId, 'assign', async (_tx, alarm) => {
    requireActive(alarm, 'it cannot be assigned');
    return { set: { assignee }, detail: { assignee } };
  });
}

/** Adds a comment to an alarm, active or cleared (a post-mortem note is welcome). */
export async function commentOnAlarm(
  database: Database,
  who: AlarmActor,
  alarmId: number,
  text: string,
): Promise<{ alarm: AlarmRow; comment: AlarmCommentRow }> {
  let comment: AlarmCommentRow | undefined;
  const alarm = await changeAlarm(database, who, alarmId, 'comment', async (tx, _alarm, at) => {
    [comment] = await tx
      .insert(alarmComments)
      .values({ tenantId: who.tenantId, alarmId, author: who.actor, text, at })
      .returning();
    return { detail: { commentId: comment!.commentId, text } };
  });
  return { alarm, comment: comment! };
}

/**
 * Clears an active alarm by an operator (`clearedBy: operator`). The device's window for the
 * rule (`alarm_states`) is reset with it, so the next breach starts afresh rather than raising
 * again from the datapoints that raised this one.
 */
export function clearAlarm(database: Database, who: AlarmActor, alarmId: number) {
  return changeAlarm(
    database,
    who,
    alarmId,
    'clear',
    async (tx, alarm, at) => {
      requireActive(alarm, 'it is cleared already');
      await tx
        .delete(alarmStates)
        .where(
          and(
            eq(alarmStates.tenantId, alarm.tenantId),
            eq(alarmStates.deviceId, alarm.deviceId),
            eq(alarmStates.ruleId, alarm.ruleId),
          ),
        );
      // The gateway holding the device forgets the window it knew (db/alarm-steady.ts).
      await tx.execute(
        sql`select pg_notify(${ALARM_STATES_CHANNEL}, ${JSON.stringify([alarm.tenantId, alarm.deviceId])})`,
      );
      return { set: { status: 'cleared', clearedAt: at, clearedBy: 'operator' } };
    },
    { lockWindowFirst: true },
  );
}

/**
 * Clears the active alarms of a rule that is being removed (`clearedBy: rule-removed`) and
 * forgets its windows, in the caller's transaction; each cleared alarm an audit entry.
 * Answers how many were cleared.
 */
export async function clearAlarmsOfRule(
  tx: Tx,
  who: AlarmActor,
  ruleId: string,
  at: string,
): Promise<number> {
  // The windows first, in the ingest path's order, then the alarms (no deadlock with it).
  await tx
    .select({ deviceId: alarmStates.deviceId })
    .from(alarmStates)
    .where(and(eq(alarmStates.tenantId, who.tenantId), eq(alarmStates.ruleId, ruleId)))
    .orderBy(asc(alarmStates.deviceId))
    .for('update');
  const cleared = await tx
    .update(alarms)
    .set({ status: 'cleared', clearedAt: at, clearedBy: 'rule-removed', updatedAt: at })
    .where(
      and(
        eq(alarms.tenantId, who.tenantId),
        eq(alarms.ruleId, ruleId),
        eq(alarms.status, 'active'),
      ),
    )
    .returning();
  await tx
    .delete(alarmStates)
    .where(and(eq(alarmStates.tenantId, who.tenantId), eq(alarmStates.ruleId, ruleId)));
  await writeAudit(
    tx,
    cleared.map((a) => ({
      tenantId: who.tenantId,
      actor: who.actor,
      role: who.role,
      operation: 'alarm.clear',
      subject: `device:${a.deviceId}`,
      input: { alarmId: a.alarmId, ruleId, clearedBy: 'rule-removed' },
      outcome: 'ok',
      before: { ...lifecycleOf(a), status: 'active' },
      after: lifecycleOf(a),
      at,
    })),
  );
  await recordAlarmEvents(
    tx,
    cleared.map((alarm) => ({
      tenantId: who.tenantId,
      alarm,
      type: 'cleared',
      at,
      actor: who.actor,
      reason: 'rule-removed',
    })),
  );
  return cleared.length;
}

/** Where in the graph active alarms are counted: the columns an alarm keeps from its raise. */
export type AlarmHolder = 'device' | 'asset' | 'site' | 'customer';

const HOLDER_COLUMNS = {
  device: alarms.deviceId,
  asset: alarms.assetId,
  site: alarms.siteId,
  customer: alarms.customerId,
} as const;

export type AlarmCounts = Record<Severity, number> & { total: number };

export const noAlarms = (): AlarmCounts => ({
  ...(Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>),
  total: 0,
});

/**
 * Active alarms by severity of each device, asset, site or customer named (one statement for
 * them all); the asset, site and customer are those the device had when the alarm was raised.
 */
export async function activeAlarmCounts(
  database: Database,
  tenantId: string,
  holder: AlarmHolder,
  ids: readonly string[],
): Promise<Map<string, AlarmCounts>> {
  const column = HOLDER_COLUMNS[holder];
  const rows = await database.db
    .select({ id: column, severity: alarms.severity, n: count() })
    .from(alarms)
    .where(
      and(eq(alarms.tenantId, tenantId), eq(alarms.status, 'active'), inArray(column, [...ids])),
    )
    .groupBy(column, alarms.severity);
  const counts = new Map(ids.map((id) => [id, noAlarms()]));
  for (const row of rows) {
    const c = counts.get(row.id!);
    if (!c) continue;
    if (SEVERITIES.includes(row.severity as Severity)) c[row.severity as Severity] += row.n;
    c.total += row.n;
  }
  return counts;
}

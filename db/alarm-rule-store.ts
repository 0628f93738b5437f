import { and, asc, eq } from 'drizzle-orm';
import { DoppelError } from '../twins/errors';
import type { AlarmRule } from '../twins/alarms/rule';
import type { Database } from './client';
import { clearAlarmsOfRule } from './alarm-store';
import { writeAudit } from './audit-writer';
import { alarmRules, alarmRuleVersions } from './schema';

export interface StoredAlarmRule {
  readonly ruleId: string;
  readonly version: number;
  readonly rule: AlarmRule;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

export interface RuleChange {
  readonly tenantId: string;
  readonly ruleId: string;
  readonly actor: string;
  readonly role: string;
}

const scopeColumns = (rule: AlarmRule) => ({
  deviceProfile: rule.scope.deviceProfile ?? null,
  assetType: rule.scope.assetType ?? null,
  siteId: rule.scope.siteId ?? null,
  enabled: rule.enabled,
});

/**
 * Creates a rule (version 1). Its versions are kept (`alarm_rule_versions`) and each change is
 * an audit entry chained into the tenant's ledger, in the same transaction.
 */
export async function createAlarmRule(
  database: Database,
  change: RuleChange,
  rule: AlarmRule,
): Promise<StoredAlarmRule> {
  const at = new Date().toISOString();
  return database.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(alarmRules)
      .values({
        tenantId: change.tenantId,
        ruleId: change.ruleId,
        version: 1,
        definition: rule,
        ...scopeColumns(rule),
        updatedBy: change.actor,
        updatedAt: at,
      })
      .onConflictDoNothing()
      .returning();
    if (!row)
      throw new DoppelError('alarm-rule.exists', `an alarm rule ${change.ruleId} exists already`, {
        hint: 'update it (with its version) or choose another id',
      });
    await tx.insert(alarmRuleVersions).values({
      tenantId: change.tenantId,
      ruleId: change.ruleId,
      version: 1,
      definition: rule,
      changedBy: change.actor,
      at,
    });
    await writeAudit(tx, [auditOf(change, 'createAlarmRule', null, rule, at)]);
    return stored(row);
  });
}

/**
 * Replaces a rule's definition if it is still at `expectedVersion` (optimistic: a concurrent
 * change is refused with `alarm-rule.version-conflict`, never overwritten). `rule: null`
 * removes it (see `removeAlarmRule`).
 */
export async function changeAlarmRule(
  database: Database,
  change: RuleChange,
  expectedVersion: number,
  rule: AlarmRule | null,
): Promise<StoredAlarmRule | null> {
  return (await applyRuleChange(database, change, expectedVersion, rule)).stored;
}

/**
 * Removes a rule at `expectedVersion` (its versions stay, the last one null): its active
 * alarms are cleared (`clearedBy: rule-removed`, each an audit entry) and its windows
 * forgotten, in the same transaction. Answers the removal's version and how many were cleared.
 */
export async function removeAlarmRule(
  database: Database,
  change: RuleChange,
  expectedVersion: number,
): Promise<{ version: number; clearedAlarms: number }> {
  const { version, clearedAlarms } = await applyRuleChange(database, change, expectedVersion, null);
  return { version, clearedAlarms };
}

async function applyRuleChange(
  database: Database,
  change: RuleChange,
  expectedVersion: number,
  rule: AlarmRule | null,
): Promise<{ stored: StoredAlarmRule | null; version: number; clearedAlarms: number }> {
  const at = new Date().toISOString();
  return database.db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(alarmRules)
      .where(and(eq(alarmRules.tenantId, change.tenantId), eq(alarmRules.ruleId, change.ruleId)))
      .for('update');
    if (!current || current.deleted)
      throw new DoppelError('alarm-rule.unknown', `no alarm rule ${change.ruleId}`);
    if (current.version !== expectedVersion)
      throw new DoppelError(
        'alarm-rule.version-conflict',
        `alarm rule ${change.ruleId} is at version ${current.version}, not ${expectedVersion}`,
        { hint: 'read it again and apply your change to the current version' },
      );
    const version = current.version + 1;
    const [row] = await tx
      .update(alarmRules)
      .set({
        version,
        ...(rule ? { definition: rule, ...scopeColumns(rule) } : { deleted: true, enabled: false }),
        updatedBy: change.actor,
        updatedAt: at,
      })
      .where(and(eq(alarmRules.tenantId, change.tenantId), eq(alarmRules.ruleId, change.ruleId)))
      .returning();
    await tx.insert(alarmRuleVersions).values({
      tenantId: change.tenantId,
      ruleId: change.ruleId,
      version,
      definition: rule,
      changedBy: change.actor,
      at,
    });
    await writeAudit(tx, [
      auditOf(change, rule ? 'updateAlarmRule' : 'deleteAlarmRule', current.definition, rule, at),
    ]);
    const clearedAlarms = rule ? 0 : await clearAlarmsOfRule(tx, change, change.ruleId, at);
    return { stored: rule ? stored(row!) : null, version, clearedAlarms };
  });
}

/** One rule of a tenant (null: none, or removed). */
export async function findAlarmRule(
  database: Database,
  tenantId: string,
  ruleId: string,
): Promise<StoredAlarmRule | null> {
  const [row] = await database.db
    .select()
    .from(alarmRules)
    .where(
      and(
        eq(alarmRules.tenantId, tenantId),
        eq(alarmRules.ruleId, ruleId),
        eq(alarmRules.deleted, false),
      ),
    );
  return row ? stored(row) : null;
}

export async function listAlarmRules(
  database: Database,
  tenantId: string,
): Promise<StoredAlarmRule[]> {
  const rows = await database.db
    .select()
    .from(alarmRules)
    .where(and(eq(alarmRules.tenantId, tenantId), eq(alarmRules.deleted, false)))
    .orderBy(asc(alarmRules.ruleId));
  return rows.map(stored);
}

/** Every version of a rule, oldest first (null definition: removed). */
export async function alarmRuleHistory(
  database: Database,
  tenantId: string,
  ruleId: string,
): Promise<Array<{ version: number; rule: AlarmRule | null; changedBy: string; at: string }>> {
  const rows = await database.db
    .select()
    .from(alarmRuleVersions)
    .where(and(eq(alarmRuleVersions.tenantId, tenantId), eq(alarmRuleVersions.ruleId, ruleId)))
    .orderBy(asc(alarmRuleVersions.version));
  return rows.map((r) => ({
    version: r.version,
    rule: r.definition,
    changedBy: r.changedBy,
    at: r.at,
  }));
}

/** The enabled rules of a tenant, as the gateway evaluates them. */
export async function loadEnabledAlarmRules(
  database: Database,
  tenantId: string,
): Promise<Array<{ ruleId: string; version: number; rule: AlarmRule }>> {
  const rows = await database.sql<{ rule_id: string; version: number; definition: AlarmRule }[]>`
    select rule_id, version::int as version, definition from alarm_rules
    where tenant_id = ${tenantId} and enabled and not deleted order by rule_id`;
  return rows.map((r) => ({ ruleId: r.rule_id, version: r.version, rule: r.definition }));
}

const stored = (row: typeof alarmRules.$inferSelect): StoredAlarmRule => ({
  ruleId: row.ruleId,
  version: row.version,
  rule: row.definition,
  updatedBy: row.updatedBy,
  updatedAt: row.updatedAt,
});

const auditOf = (
  change: RuleChange,
  operation: string,
  before: AlarmRule | null,
  after: AlarmRule | null,
  at: string,
) => ({
  tenantId: change.tenantId,
  actor: change.actor,
  role: change.role,
  operation,
  subject: `alarm-rule:${change.ruleId}`,
  input: { ruleId: change.ruleId },
  outcome: 'ok',
  before,
  after,
  at,
});

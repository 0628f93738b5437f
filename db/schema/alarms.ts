import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { AlarmRule } from '../../twins/alarms/rule';
import type { RuleState } from '../../twins/alarms/evaluate';
import { tenantColumn } from './columns';

const at = () => timestamp({ withTimezone: true, mode: 'string' });

/** A tenant's alarm rules (docs/alarms.md): the definition as data, versioned. */
export const alarmRules = pgTable(
  'alarm_rules',
  {
    tenantId: tenantColumn(),
    ruleId: text().notNull(),
    /** 1 on create, +1 on every change; an update names the version it changes. */
    version: bigint({ mode: 'number' }).notNull(),
    definition: jsonb().$type<AlarmRule>().notNull(),
    enabled: boolean().notNull(),
    /** Where it applies (copied from the definition's scope, for the lookup by device). */
    deviceProfile: text(),
    assetType: text(),
    siteId: text(),
    deleted: boolean().notNull().default(false),
    updatedBy: text().notNull(),
    updatedAt: at().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.ruleId] })],
);

/** Every version of every rule, as it was (an alarm names the version that raised it). */
export const alarmRuleVersions = pgTable(
  'alarm_rule_versions',
  {
    tenantId: tenantColumn(),
    ruleId: text().notNull(),
    version: bigint({ mode: 'number' }).notNull(),
    definition: jsonb().$type<AlarmRule | null>(),
    changedBy: text().notNull(),
    at: at().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.ruleId, t.version] })],
);

/** Where each rule stands for each device (the anti-flap window), changed with the data. */
export const alarmStates = pgTable(
  'alarm_states',
  {
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    ruleId: text().notNull(),
    state: jsonb().$type<RuleState>().notNull(),
    /** The newest and previous values of the fields the rule reads, and when each came. */
    fields: jsonb()
      .$type<Record<string, { value: unknown; at: number; previous?: number }>>()
      .notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.deviceId, t.ruleId] })],
);

/**
 * Alarms as entities: raised → acknowledged → cleared, one active per device and rule.
 * Where the device sat in the graph when raised is kept for the counts up the graph.
 */
export const alarms = pgTable(
  'alarms',
  {
    alarmId: bigserial({ mode: 'number' }).primaryKey(),
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    ruleId: text().notNull(),
    ruleVersion: bigint({ mode: 'number' }).notNull(),
    alarmType: text().notNull(),
    severity: text().notNull(),
    /** active | cleared */
    status: text().notNull(),
    acknowledged: boolean().notNull().default(false),
    acknowledgedBy: text(),
    acknowledgedAt: at(),
    assignee: text(),
    /** Raised while the device was in maintenance: shown, never notified. */
    muted: boolean().notNull().default(false),
    assetId: text(),
    siteId: text(),
    customerId: text(),
    raisedAt: at().notNull(),
    clearedAt: at(),
    /** condition (the rule cleared it), operator, retired, replaced, rule-removed */
    clearedBy: text(),
    details: jsonb().$type<Record<string, unknown>>().notNull(),
    updatedAt: at().notNull(),
  },
  (t) => [
    uniqueIndex('alarms_one_active')
      .on(t.tenantId, t.deviceId, t.ruleId)
      .where(sql`${t.status} = 'active'`),
    index('alarms_by_status').on(t.tenantId, t.status, t.severity),
    index('alarms_by_device').on(t.tenantId, t.deviceId, t.raisedAt),
  ],
);

/** Comments on an alarm (who, when, what). Append-only. */
export const alarmComments = pgTable(
  'alarm_comments',
  {
    commentId: bigserial({ mode: 'number' }).primaryKey(),
    tenantId: tenantColumn(),
    alarmId: bigint({ mode: 'number' }).notNull(),
    author: text().notNull(),
    text: text().notNull(),
    at: at().notNull(),
  },
  (t) => [index('alarm_comments_by_alarm').on(t.tenantId, t.alarmId, t.at)],
);

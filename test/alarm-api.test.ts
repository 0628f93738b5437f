import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from './support/auth';
import { exampleProfile, type TestDevice } from './support/device-client';
import { eventually, graphql } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

/**
 * Alarm rules and alarms through the GraphQL API (issue 19, item 2; docs/alarms.md, "Alarms in
 * the API"): rules created, changed and removed as versioned data, and an alarm raised by a
 * real JSON device through the real gateway, then acknowledged, assigned, commented on and
 * cleared by an operator, each step in the audit trail, counted up the twin graph.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const meter = exampleProfile('acme-meter-em3');

const RULE_FIELDS = `ruleId version name alarmType severity enabled updatedBy rule
  history { version changedBy rule }`;
const CREATE_RULE = `mutation ($t: ID!, $r: ID!, $rule: JSONObject!) {
  createAlarmRule(tenantId: $t, ruleId: $r, rule: $rule) { ${RULE_FIELDS} } }`;
const UPDATE_RULE = `mutation ($t: ID!, $r: ID!, $v: Int!, $rule: JSONObject!) {
  updateAlarmRule(tenantId: $t, ruleId: $r, version: $v, rule: $rule) { ${RULE_FIELDS} } }`;
const DELETE_RULE = `mutation ($t: ID!, $r: ID!, $v: Int!) {
  deleteAlarmRule(tenantId: $t, ruleId: $r, version: $v) { ruleId version clearedAlarms } }`;
const RULES = `query ($t: ID!) { alarmRules(tenantId: $t) { ruleId version } }`;
const RULE = `query ($t: ID!, $r: ID!) { alarmRule(tenantId: $t, ruleId: $r) { ${RULE_FIELDS} } }`;

const ALARM_FIELDS = `alarmId deviceId ruleId ruleVersion alarmType severity status acknowledged
  acknowledgedBy assignee assetId siteId customerId raisedAt clearedAt clearedBy
  comments { author text }`;
const ALARMS = `query ($t: ID!, $f: AlarmFilter, $first: Int, $after: String) {
  alarms(tenantId: $t, filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ${ALARM_FIELDS} } } }`;
const ALARM = `query ($t: ID!, $a: ID!) { alarm(tenantId: $t, alarmId: $a) { ${ALARM_FIELDS} } }`;
const ACK = `mutation ($t: ID!, $a: ID!) { acknowledgeAlarm(tenantId: $t, alarmId: $a) {
  acknowledged acknowledgedBy } }`;
const ASSIGN = `mutation ($t: ID!, $a: ID!, $who: String) {
  assignAlarm(tenantId: $t, alarmId: $a, assignee: $who) { assignee } }`;
const COMMENT = `mutation ($t: ID!, $a: ID!, $text: String!) {
  commentOnAlarm(tenantId: $t, alarmId: $a, text: $text) { comment { author text }
    alarm { comments { text } } } }`;
const CLEAR = `mutation ($t: ID!, $a: ID!) { clearAlarm(tenantId: $t, alarmId: $a) {
  status clearedBy } }`;
const COUNTS = 'alarmCounts { critical major minor warning indeterminate total }';
const GRAPH_COUNTS = `query ($t: ID!) {
  device(tenantId: $t, deviceId: "em-1") { ${COUNTS} }
  asset(tenantId: $t, assetId: "meter-bay") { ${COUNTS} }
  site(tenantId: $t, siteId: "depot") { ${COUNTS} }
  customer(tenantId: $t, customerId: "fleetco") { ${COUNTS} } }`;
/** The same counts on the device, its asset, site and customer. */
const everywhere = (counts: Record<string, number>) =>
  Object.fromEntries(
    ['device', 'asset', 'site', 'customer'].map((k) => [k, { alarmCounts: counts }]),
  );
const AUDIT = `query ($t: ID!, $s: String) { auditEntries(tenantId: $t, filter: { subject: $s }) {
  nodes { actor operation input } } }`;

const overload = (over: Record<string, unknown> = {}) => ({
  name: 'Meter overload',
  alarmType: 'Overload',
  scope: { deviceProfile: meter.model },
  severity: 'major',
  condition: { field: 'powerKW', above: 5 },
  ...over,
});

/** A request as this caller (default: the tests' platform administrator). */
const call = (query: string, variables: Record<string, unknown>, as?: Record<string, string>) =>
  graphql(stack.apiUrl, query, variables, as);

const codeOf = (res: { errors?: Array<{ extensions?: { code?: string } }> }) =>
  res.errors?.[0]?.extensions?.code;

describe('alarm rules through GraphQL', () => {
  it('are created, refused with the path of a bad field, updated by version, listed and removed', async () => {
    const t = uniqueTenant('alarm-api');
    const admin = await bearer('tenant-admin', t, 'ada');

    const bad = await call(
      CREATE_RULE,
      {
        t,
        r: 'bad',
        rule: overload({ condition: { field: 'powerKW', above: 5, clearBelow: 6 } }),
      },
      admin,
    );
    expect(codeOf(bad)).toBe('alarm-rule.invalid');
    expect(bad.errors![0]!.extensions).toMatchObject({
      issues: [{ path: ['condition', 'clearBelow'] }],
    });
    expect(bad.errors![0]!.message).toContain('condition.clearBelow');

    const created = await call(CREATE_RULE, { t, r: 'overload', rule: overload() }, admin);
    expect(created.errors).toBeUndefined();
    expect(created.data.createAlarmRule).toMatchObject({
      ruleId: 'overload',
      version: 1,
      name: 'Meter overload',
      severity: 'MAJOR',
      enabled: true,
      updatedBy: 'user:ada',
      // Stored with its defaults filled in.
      rule: { raise: { datapoints: 1, of: 1 }, missingData: 'missing' },
      history: [{ version: 1, changedBy: 'user:ada' }],
    });
    expect(codeOf(await call(CREATE_RULE, { t, r: 'overload', rule: overload() }, admin))).toBe(
      'alarm-rule.exists',
    );

    const operator = await bearer('operator', t);
    expect(codeOf(await call(CREATE_RULE, { t, r: 'x', rule: overload() }, operator))).toBe(
      'api:forbidden',
    );

    const updated = await call(
      UPDATE_RULE,
      { t, r: 'overload', v: 1, rule: overload({ severity: 'critical' }) },
      admin,
    );
    expect(updated.data.updateAlarmRule).toMatchObject({ version: 2, severity: 'CRITICAL' });
    const stale = await call(UPDATE_RULE, { t, r: 'overload', v: 1, rule: overload() }, admin);
    expect(codeOf(stale)).toBe('alarm-rule.version-conflict');
    expect(
      codeOf(await call(UPDATE_RULE, { t, r: 'overload', v: 2, rule: { name: 'x' } }, admin)),
    ).toBe('alarm-rule.invalid');

    const viewer = await bearer('viewer', t);
    const read = await call(RULE, { t, r: 'overload' }, viewer);
    expect(read.data.alarmRule.history.map((h: { version: number }) => h.version)).toEqual([1, 2]);
    expect((await call(RULES, { t }, viewer)).data.alarmRules).toEqual([
      { ruleId: 'overload', version: 2 },
    ]);

    expect(codeOf(await call(DELETE_RULE, { t, r: 'overload', v: 1 }, admin))).toBe(
      'alarm-rule.version-conflict',
    );
    const removed = await call(DELETE_RULE, { t, r: 'overload', v: 2 }, admin);
    expect(removed.data.deleteAlarmRule).toEqual({
      ruleId: 'overload',
      version: 3,
      clearedAlarms: 0,
    });
    expect((await call(RULES, { t }, viewer)).data.alarmRules).toEqual([]);
    expect((await call(RULE, { t, r: 'overload' }, viewer)).data.alarmRule).toBeNull();
  });
});

describe('an alarm through GraphQL', () => {
  it('raised by a real device, acknowledged, assigned, commented, cleared; counted up the graph; audited', async () => {
    const g = new TwinGraph(stack);
    const t = g.tenantId;
    await g.customer('fleetco', 'FleetCo');
    await g.site('depot', 'fleetco');
    await g.asset('meter-bay', 'depot');
    await g.ok(
      `mutation ($t: ID!, $p: JSONObject!) { putDeviceProfile(tenantId: $t, profile: $p) { version } }`,
      { p: meter },
    );
    const token = await g.register('em-1', meter.model);
    expect((await g.bind('meter-bay', 'em-1')).errors).toBeUndefined();
    await eventually(async () => {
      const { device } = await g.ok(
        `query ($t: ID!) { device(tenantId: $t, deviceId: "em-1") { site { siteId } } }`,
      );
      return device.site?.siteId === 'depot' ? true : undefined;
    });
    // Two breaching datapoints of two raise it: a window that was reset needs both again.
    const created = await g.ok(CREATE_RULE, {
      r: 'overload',
      rule: overload({ raise: { datapoints: 2, of: 2 } }),
    });
    expect(created.createAlarmRule.version).toBe(1);

    const device: TestDevice = await g.connect('em-1', token);
    let seq = 1;
    let second = 0;
    const sample = async (watts: number) => {
      seq += 1;
      second += 1;
      const at = new Date(Date.UTC(2026, 11, 5, 8, 0, second));
      expect(await device.telemetry(seq, at, { power: watts })).toEqual({ type: 'ack', seq });
    };
    await sample(6_000);
    await sample(6_500); // raised, committed before this ack

    const listed = await g.ok(ALARMS, { f: { status: 'ACTIVE' } });
    expect(listed.alarms.totalCount).toBe(1);
    const [alarm] = listed.alarms.nodes;
    expect(alarm).toMatchObject({
      deviceId: 'em-1',
      ruleId: 'overload',
      ruleVersion: 1,
      alarmType: 'Overload',
      severity: 'MAJOR',
      status: 'ACTIVE',
      acknowledged: false,
      assignee: null,
      assetId: 'meter-bay',
      siteId: 'depot',
      customerId: 'fleetco',
      clearedAt: null,
      comments: [],
    });
    const a = alarm.alarmId;
    for (const f of [{ severity: ['CRITICAL'] }, { acknowledged: true }, { assetId: 'other' }])
      expect((await g.ok(ALARMS, { f })).alarms.totalCount).toBe(0);
    expect(
      (await g.ok(ALARMS, { f: { siteId: 'depot', severity: ['MAJOR'] } })).alarms.totalCount,
    ).toBe(1);

    const oneMajor = { critical: 0, major: 1, minor: 0, warning: 0, indeterminate: 0, total: 1 };
    expect(await g.ok(GRAPH_COUNTS)).toEqual(everywhere(oneMajor));

    // A viewer reads but may not act; an operator may not manage rules.
    const viewer = await bearer('viewer', t);
    expect((await call(ALARM, { t, a }, viewer)).data.alarm.status).toBe('ACTIVE');
    expect(codeOf(await call(ACK, { t, a }, viewer))).toBe('api:forbidden');
    expect(codeOf(await call(CLEAR, { t, a }, viewer))).toBe('api:forbidden');

    const olga = await bearer('operator', t, 'olga');
    expect((await call(ACK, { t, a }, olga)).data.acknowledgeAlarm).toEqual({
      acknowledged: true,
      acknowledgedBy: 'user:olga',
    });
    expect(codeOf(await call(ACK, { t, a }, olga))).toBe('alarm.already-acknowledged');
    expect((await call(ASSIGN, { t, a, who: 'sam' }, olga)).data.assignAlarm).toEqual({
      assignee: 'sam',
    });
    const commented = await call(COMMENT, { t, a, text: 'crew on the way' }, olga);
    expect(commented.data.commentOnAlarm).toEqual({
      comment: { author: 'user:olga', text: 'crew on the way' },
      alarm: { comments: [{ text: 'crew on the way' }] },
    });
    expect(codeOf(await call(COMMENT, { t, a, text: '  ' }, olga))).toBe('api:input.empty-comment');
    expect((await call(CLEAR, { t, a }, olga)).data.clearAlarm).toEqual({
      status: 'CLEARED',
      clearedBy: 'operator',
    });
    expect(codeOf(await call(CLEAR, { t, a }, olga))).toBe('alarm.not-active');
    expect(codeOf(await call(ACK, { t, a: '999999999' }, olga))).toBe('alarm.not-found');

    const none = { critical: 0, major: 0, minor: 0, warning: 0, indeterminate: 0, total: 0 };
    expect(await g.ok(GRAPH_COUNTS)).toEqual(everywhere(none));

    // Each transition is in the audit trail (and so in the ledger), by whom it was made.
    const audit = await g.ok(AUDIT, { s: 'device:em-1' });
    const transitions = audit.auditEntries.nodes
      .filter((e: { operation: string }) => e.operation.startsWith('alarm.'))
      .reverse()
      .map((e: { actor: string; operation: string; input: { alarmId: unknown } }) => [
        e.operation,
        e.actor,
      ]);
    expect(transitions).toEqual([
      ['alarm.raise', 'rule:overload'],
      ['alarm.acknowledge', 'user:olga'],
      ['alarm.assign', 'user:olga'],
      ['alarm.comment', 'user:olga'],
      ['alarm.clear', 'user:olga'],
    ]);

    // Cleared by the operator, the rule's window starts afresh: one breach does not raise again.
    await sample(7_000);
    expect((await g.ok(ALARMS, { f: { status: 'ACTIVE' } })).alarms.totalCount).toBe(0);
    await sample(7_000);
    const again = (await g.ok(ALARMS, { f: { status: 'ACTIVE' } })).alarms.nodes;
    expect(again).toHaveLength(1);
    expect(again[0].alarmId).not.toBe(a);

    // Newest first, one page at a time.
    const first = await g.ok(ALARMS, { first: 1 });
    expect(first.alarms.nodes.map((n: { alarmId: string }) => n.alarmId)).toEqual([
      again[0].alarmId,
    ]);
    expect(first.alarms.pageInfo.hasNextPage).toBe(true);
    const next = await g.ok(ALARMS, { first: 1, after: first.alarms.pageInfo.endCursor });
    expect(next.alarms.nodes.map((n: { alarmId: string }) => n.alarmId)).toEqual([a]);
    expect(next.alarms.pageInfo.hasNextPage).toBe(false);

    // Removing the rule clears its active alarm in the same transaction.
    const removed = await g.ok(DELETE_RULE, { r: 'overload', v: 1 });
    expect(removed.deleteAlarmRule).toMatchObject({ version: 2, clearedAlarms: 1 });
    expect((await g.ok(ALARM, { a: again[0].alarmId })).alarm).toMatchObject({
      status: 'CLEARED',
      clearedBy: 'rule-removed',
    });
    expect((await g.ok(GRAPH_COUNTS)).customer.alarmCounts).toEqual(none);
    device.close();
  });
});

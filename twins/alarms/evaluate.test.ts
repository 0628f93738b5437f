import { describe, expect, it } from 'vitest';
import type { FieldValue, Snapshot } from './condition';
import {
  initialRuleState,
  isCalm,
  step,
  sweep,
  type AlarmTransition,
  type RuleState,
} from './evaluate';
import { alarmRuleSchema, type AlarmRule, type AlarmRuleInput } from './rule';

const T0 = Date.parse('2026-12-05T00:00:00Z');
const S = 1_000;

const rule = (over: Partial<AlarmRuleInput> = {}): AlarmRule =>
  alarmRuleSchema.parse({
    name: 'Hot',
    alarmType: 'OverTemperature',
    scope: { deviceProfile: 'acme-wallbox-22' },
    severity: 'minor',
    condition: { field: 'temperature', above: 80, clearBelow: 75 },
    ...over,
  });

const snap = (
  at: number,
  fields: Record<string, FieldValue> = {},
  over: Partial<Snapshot> = {},
): Snapshot => ({
  at,
  fields: Object.fromEntries(Object.entries(fields).map(([k, value]) => [k, { value, at }])),
  previous: {},
  lastSeenAt: at,
  online: true,
  offlineSince: null,
  lifecycle: 'active',
  ...over,
});

/** Feeds one value per `every` ms from T0; returns every transition and the last state. */
function feed(
  r: AlarmRule,
  values: readonly number[],
  every = 10 * S,
  from: RuleState = initialRuleState,
) {
  let state = from;
  const transitions: AlarmTransition[] = [];
  values.forEach((v, i) => {
    const s = step(state, r, snap(T0 + i * every, { temperature: v }));
    state = s.state;
    transitions.push(...s.transitions);
  });
  return { state, transitions, kinds: transitions.map((t) => t.kind) };
}

describe('alarm rules as data', () => {
  it('fills the anti-flap defaults: raise on 1 of 1, clear on 1, no delays, missing data missing', () => {
    const r = rule();
    expect(r.raise).toEqual({ datapoints: 1, of: 1 });
    expect(r.clear).toEqual({ consecutive: 1 });
    expect([r.startDelaySeconds, r.resolveDelaySeconds, r.missingData, r.enabled]).toEqual([
      0,
      0,
      'missing',
      true,
    ]);
  });

  it.each([
    [{ condition: { field: 'temperature', above: 80, clearBelow: 85 } }, 'clearBelow'],
    [{ condition: { field: 'temperature', below: 5, clearAbove: 2 } }, 'clearAbove'],
    [{ condition: { field: 'v', outside: [10, 12], hysteresis: 2 } }, 'hysteresis band is wider'],
    [{ condition: { field: 'v', inside: [12, 10] } }, 'low ≤ high'],
    [{ raise: { datapoints: 4, of: 3 } }, 'raise.datapoints must be ≤ raise.of'],
    [{ scope: {} }, 'at least one'],
    [{ severity: 'urgent' }, 'severity'],
    [{ escalation: [{ afterSeconds: 60, severity: 'warning' }] }, 'more severe'],
    [
      {
        escalation: [
          { afterSeconds: 600, severity: 'major' },
          { afterSeconds: 300, severity: 'critical' },
        ],
      },
      'later',
    ],
    [{ condition: { field: 'temperature', above: 80, extra: 1 } }, 'condition'],
    [
      { condition: { all: [{ any: [{ all: [{ any: [{ field: 'a', above: 1 }] }] }] }] } },
      'nested at most 4',
    ],
    [{ condition: { field: '1bad', above: 1 } }, 'condition'],
    [{ condition: { noDataFor: 0 } }, 'condition'],
  ])('refuses %j (%s)', (over, message) => {
    const result = alarmRuleSchema.safeParse({ ...rule(), ...over });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error!.issues)).toContain(message);
  });
});

describe('anti-flap', () => {
  it('a flapping device raises one alarm and no storm: M of N to raise, consecutive to clear', () => {
    const r = rule({ raise: { datapoints: 3, of: 5 }, clear: { consecutive: 3 } });
    const flapping = Array.from({ length: 100 }, (_, i) => (i % 2 ? 70 : 85));
    const { kinds, state } = feed(r, flapping);
    expect(kinds).toEqual(['raise']);
    expect(state.severity).toBe('minor');
  });

  it('isolated spikes (one in five) never raise with 3 of 5', () => {
    const r = rule({ raise: { datapoints: 3, of: 5 } });
    const spikes = Array.from({ length: 50 }, (_, i) => (i % 5 === 0 ? 95 : 60));
    expect(feed(r, spikes).kinds).toEqual([]);
  });

  it('a sustained fault raises exactly once and clears only below the hysteresis band', () => {
    const r = rule({ raise: { datapoints: 3, of: 5 }, clear: { consecutive: 2 } });
    // 85 ×5 raises on the 3rd; 77 and 79 are inside the band (≥ 75): still breaching;
    // 74, 73 leave it: cleared on the second.
    const { transitions } = feed(r, [85, 85, 85, 85, 85, 77, 79, 74, 73, 72]);
    expect(transitions).toEqual([
      { kind: 'raise', severity: 'minor', at: T0 + 2 * 10 * S },
      { kind: 'clear', at: T0 + 8 * 10 * S },
    ]);
  });

  it('without the alarm, a value inside the band does not raise', () => {
    expect(feed(rule(), [77, 79, 80]).kinds).toEqual([]);
  });

  it('the datapoints that raised an alarm cannot raise the next one', () => {
    const r = rule({ raise: { datapoints: 2, of: 4 } });
    // raise on the 2nd, clear on 70, then one more breach is 1 of 2 in a fresh window
    expect(feed(r, [85, 85, 70, 85]).kinds).toEqual(['raise', 'clear']);
  });

  it('a start delay holds the raise until the breach has lasted; a sweep raises when due', () => {
    const r = rule({ startDelaySeconds: 60 });
    const first = feed(r, [85, 85], 10 * S);
    expect(first.kinds).toEqual([]);
    expect(first.state.pendingSince).toBe(T0);
    const early = sweep(first.state, r, snap(T0 + 59 * S), false);
    expect(early.transitions).toEqual([]);
    const due = sweep(first.state, r, snap(T0 + 60 * S), false);
    expect(due.transitions).toEqual([{ kind: 'raise', severity: 'minor', at: T0 + 60 * S }]);
  });

  it('a breach that stops before the start delay never raises', () => {
    const r = rule({ startDelaySeconds: 60 });
    const { state, kinds } = feed(r, [85, 85, 60], 20 * S);
    expect(kinds).toEqual([]);
    expect(sweep(state, r, snap(T0 + 600 * S), false).transitions).toEqual([]);
  });

  it('a resolve delay holds the clear; a new breach meanwhile keeps the alarm', () => {
    const r = rule({ resolveDelaySeconds: 30 });
    const raised = feed(r, [85, 60], 10 * S);
    expect(raised.kinds).toEqual(['raise']);
    expect(sweep(raised.state, r, snap(T0 + 39 * S), false).transitions).toEqual([]);
    expect(sweep(raised.state, r, snap(T0 + 40 * S), false).transitions).toEqual([
      { kind: 'clear', at: T0 + 40 * S },
    ]);
    const again = step(raised.state, r, snap(T0 + 20 * S, { temperature: 90 }));
    expect(sweep(again.state, r, snap(T0 + 600 * S), false).transitions).toEqual([]);
  });
});

describe('calm for good', () => {
  it('is calm once the window and the calm run are full of calm verdicts, and not after a breach', () => {
    const r = rule({ raise: { datapoints: 2, of: 3 } });
    const calm = feed(
      r,
      Array.from({ length: 64 }, () => 20),
    ).state;
    expect(isCalm(calm, r)).toBe(true);
    expect(
      isCalm(
        feed(
          r,
          Array.from({ length: 63 }, () => 20),
        ).state,
        r,
      ),
    ).toBe(false);
    // Another calm verdict changes nothing but the time of the last datapoint (kept only by
    // rules that read silence or gaps): what lets the ingest path skip it.
    const again = step(calm, r, snap(T0 + 700 * S, { temperature: 21 })).state;
    expect({ ...again, lastAt: null }).toEqual({ ...calm, lastAt: null });
    expect(isCalm(step(calm, r, snap(T0 + 700 * S, { temperature: 90 })).state, r)).toBe(false);
  });
});

describe('missing data', () => {
  const gaps = (missingData: AlarmRuleInput['missingData']) =>
    rule({ periodSeconds: 60, missingData, raise: { datapoints: 3, of: 3 } });

  it('breaching: a silent gap of two periods counts as two breaching datapoints', () => {
    let state = step(initialRuleState, gaps('breaching'), snap(T0, { temperature: 85 })).state;
    const s = step(state, gaps('breaching'), snap(T0 + 180 * S, { temperature: 85 }));
    expect(s.transitions.map((t) => t.kind)).toEqual(['raise']);
    state = s.state;
    expect(state.window).toBe('bbb');
  });

  it.each(['missing', 'ignore', 'notBreaching'] as const)(
    '%s: the same gap does not raise',
    (policy) => {
      const r = gaps(policy);
      const state = step(initialRuleState, r, snap(T0, { temperature: 85 })).state;
      const s = step(state, r, snap(T0 + 180 * S, { temperature: 85 }));
      expect(s.transitions).toEqual([]);
      expect(s.state.window).toBe({ missing: 'mmb', ignore: 'bb', notBreaching: 'oob' }[policy]);
    },
  );

  it('a datapoint without the field is missing, not ok: it does not clear an alarm', () => {
    const r = rule();
    const raised = step(initialRuleState, r, snap(T0, { temperature: 85 })).state;
    const other = step(raised, r, snap(T0 + S, { humidity: 40 }));
    expect(other.transitions).toEqual([]);
    expect(other.state.severity).toBe('minor');
  });
});

describe('severity by duration', () => {
  const r = rule({
    escalation: [
      { afterSeconds: 300, severity: 'major' },
      { afterSeconds: 900, severity: 'critical' },
    ],
    deescalateAfterSeconds: 120,
    clear: { consecutive: 10 },
  });

  it('escalates while the breach lasts, step by step, by sweeps or datapoints', () => {
    const raised = step(initialRuleState, r, snap(T0, { temperature: 85 })).state;
    expect(sweep(raised, r, snap(T0 + 299 * S), false).transitions).toEqual([]);
    const major = sweep(raised, r, snap(T0 + 300 * S), false);
    expect(major.transitions).toEqual([
      { kind: 'severity', from: 'minor', to: 'major', at: T0 + 300 * S },
    ]);
    const critical = step(major.state, r, snap(T0 + 900 * S, { temperature: 86 }));
    expect(critical.transitions).toEqual([
      { kind: 'severity', from: 'major', to: 'critical', at: T0 + 900 * S },
    ]);
  });

  it('de-escalates to the rule severity once calm long enough, before it clears', () => {
    const raised = step(initialRuleState, r, snap(T0, { temperature: 85 })).state;
    const major = sweep(raised, r, snap(T0 + 300 * S), false).state;
    const calm = step(major, r, snap(T0 + 310 * S, { temperature: 60 })).state;
    expect(sweep(calm, r, snap(T0 + 429 * S), false).transitions).toEqual([]);
    expect(sweep(calm, r, snap(T0 + 430 * S), false).transitions).toEqual([
      { kind: 'severity', from: 'major', to: 'minor', at: T0 + 430 * S },
    ]);
  });
});

describe('conditions', () => {
  it('no data for X is judged by sweeps from the field last seen', () => {
    const r = rule({ condition: { noDataFor: 300, field: 'temperature' } });
    const seen = step(initialRuleState, r, snap(T0, { temperature: 20 })).state;
    const quiet = { fields: { temperature: { value: 20, at: T0 } } };
    expect(sweep(seen, r, snap(T0 + 299 * S, {}, quiet), true).transitions).toEqual([]);
    const late = sweep(seen, r, snap(T0 + 300 * S, {}, quiet), true);
    expect(late.transitions.map((t) => t.kind)).toEqual(['raise']);
    const back = step(late.state, r, snap(T0 + 301 * S, { temperature: 21 }));
    expect(back.transitions.map((t) => t.kind)).toEqual(['clear']);
  });

  it('offline for X, lifecycle, equality and ranges', () => {
    const offline = rule({ condition: { offlineFor: 600 } });
    const down = { online: false, offlineSince: T0 };
    expect(step(initialRuleState, offline, snap(T0 + 599 * S, {}, down)).transitions).toEqual([]);
    expect(step(initialRuleState, offline, snap(T0 + 600 * S, {}, down)).transitions).toHaveLength(
      1,
    );

    const faulted = rule({ condition: { field: 'status', in: ['faulted', 'unavailable'] } });
    expect(
      step(initialRuleState, faulted, snap(T0, { status: 'faulted' })).transitions,
    ).toHaveLength(1);
    expect(step(initialRuleState, faulted, snap(T0, { status: 'charging' })).transitions).toEqual(
      [],
    );

    const retired = rule({ condition: { lifecycle: ['maintenance'] } });
    expect(
      step(initialRuleState, retired, snap(T0, {}, { lifecycle: 'maintenance' })).transitions,
    ).toHaveLength(1);

    const voltage = rule({ condition: { field: 'voltage', outside: [207, 253], hysteresis: 3 } });
    const high = step(initialRuleState, voltage, snap(T0, { voltage: 255 }));
    expect(high.transitions).toHaveLength(1);
    // 251 is inside the range but not the band (≤ 250): still breaching.
    expect(step(high.state, voltage, snap(T0 + S, { voltage: 251 })).transitions).toEqual([]);
    expect(
      step(high.state, voltage, snap(T0 + S, { voltage: 240 })).transitions.map((t) => t.kind),
    ).toEqual(['clear']);
  });

  it('change by X compares with the previous value', () => {
    const jump = rule({ condition: { field: 'energy', changeBy: 50 } });
    const at = (v: number, prev?: number) =>
      step(
        initialRuleState,
        jump,
        snap(T0, { energy: v }, prev === undefined ? {} : { previous: { energy: prev } }),
      );
    expect(at(100).transitions).toEqual([]);
    expect(at(100, 60).transitions).toEqual([]);
    expect(at(100, 40).transitions).toHaveLength(1);
  });

  it('all needs every part; any needs one; a missing part leaves all undecided', () => {
    const both = rule({
      condition: {
        all: [
          { field: 'temperature', above: 80 },
          { field: 'current', above: 30 },
        ],
      },
    });
    expect(
      step(initialRuleState, both, snap(T0, { temperature: 85, current: 31 })).transitions,
    ).toHaveLength(1);
    expect(
      step(initialRuleState, both, snap(T0, { temperature: 85, current: 10 })).transitions,
    ).toEqual([]);
    const undecided = step(initialRuleState, both, snap(T0, { temperature: 85 }));
    expect(undecided.state.window).toBe('m');

    const either = rule({
      condition: {
        any: [
          { field: 'temperature', above: 80 },
          { field: 'current', above: 30 },
        ],
      },
    });
    expect(step(initialRuleState, either, snap(T0, { current: 31 })).transitions).toHaveLength(1);
    expect(
      step(initialRuleState, either, snap(T0, { temperature: 20, current: 10 })).state.window,
    ).toBe('o');
  });
});

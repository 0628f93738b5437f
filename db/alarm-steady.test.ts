import { describe, expect, it } from 'vitest';
import { fieldsOf } from '../twins/alarms/condition';
import { initialRuleState, step, type RuleState } from '../twins/alarms/evaluate';
import { alarmRuleSchema, type AlarmRuleInput } from '../twins/alarms/rule';
import type { AlarmDatapoint, LoadedRule } from './alarm-evaluation';
import { sameState, SteadyPairs, type SteadyLesson } from './alarm-steady';

const loaded = (ruleId: string, over: Partial<AlarmRuleInput> = {}): LoadedRule => {
  const rule = alarmRuleSchema.parse({
    name: ruleId,
    alarmType: 'Hot',
    scope: { deviceProfile: 'acme-wallbox-22' },
    severity: 'major',
    condition: { field: 'temperature', above: 80, clearBelow: 75 },
    raise: { datapoints: 3, of: 5 },
    clear: { consecutive: 2 },
    ...over,
  });
  return { ruleId, version: 1, rule, fields: new Set(fieldsOf(rule.condition)) };
};

const point = (at: number, fields: AlarmDatapoint['fields']): AlarmDatapoint => ({
  tenantId: 't',
  deviceId: 'd',
  at,
  fields,
});

/** The state a rule reaches over these temperatures, as the transactional path stores it. */
function stateAfter(rule: LoadedRule, temperatures: number[]): RuleState {
  let state = initialRuleState;
  temperatures.forEach((temperature, i) => {
    state = step(state, rule.rule, {
      at: i * 10_000,
      fields: { temperature: { value: temperature, at: i * 10_000 } },
      previous: {},
      lastSeenAt: i * 10_000,
      online: true,
      offlineSince: null,
      lifecycle: 'active',
    }).state;
  });
  return { ...state, lastAt: null };
}

function taught(
  steady: SteadyPairs,
  rules: LoadedRule[],
  states: Map<LoadedRule, RuleState | null>,
): void {
  const generation = steady.begin('t', 'd', [...states.keys()]);
  const lesson: SteadyLesson = {
    tenantId: 't',
    deviceId: 'd',
    rules,
    readers: new Map([['temperature', rules]]),
    states,
    generation,
  };
  steady.learn(lesson);
}

describe('steady pairs (the gateway side of alarm evaluation)', () => {
  const hot = loaded('hot');
  const rules = [hot];
  const rulesOf = () => rules;

  it('knows nothing of a device it has not evaluated', () => {
    expect(new SteadyPairs().settles(point(0, { temperature: 20 }), rulesOf)).toBe(false);
  });

  it('a calm rule judging ok again settles; a breach does not', () => {
    const steady = new SteadyPairs();
    taught(steady, rules, new Map([[hot, stateAfter(hot, Array(70).fill(20))]]));
    expect(steady.settles(point(1e6, { temperature: 21 }), rulesOf)).toBe(true);
    expect(steady.settles(point(1e6, { temperature: 90 }), rulesOf)).toBe(false);
    // A field no rule reads changes nothing.
    expect(steady.settles(point(1e6, { humidity: 99 }), rulesOf)).toBe(true);
  });

  it('a held alarm settles one more breach, not a value that counts toward its clear', () => {
    const steady = new SteadyPairs();
    taught(steady, rules, new Map([[hot, stateAfter(hot, Array(10).fill(90))]]));
    expect(steady.settles(point(200_000, { temperature: 95 }), rulesOf)).toBe(true);
    expect(steady.settles(point(200_000, { temperature: 77 }), rulesOf)).toBe(true); // in the band
    expect(steady.settles(point(200_000, { temperature: 70 }), rulesOf)).toBe(false);
  });

  it('an escalation that comes due is not settled', () => {
    const escalating = loaded('esc', { escalation: [{ afterSeconds: 300, severity: 'critical' }] });
    const steady = new SteadyPairs();
    const escalatingRules = [escalating];
    const of = () => escalatingRules; // the same load of rules each time, as the gateway's cache
    taught(
      steady,
      escalatingRules,
      new Map([[escalating, stateAfter(escalating, Array(10).fill(90))]]),
    );
    expect(steady.settles(point(100_000, { temperature: 95 }), of)).toBe(true);
    expect(steady.settles(point(400_000, { temperature: 95 }), of)).toBe(false);
  });

  it('a rule that keeps more than its state, a new load of rules, an old lesson, a forgotten device: not settled', () => {
    const steady = new SteadyPairs();
    taught(steady, rules, new Map([[hot, null]]));
    expect(steady.settles(point(0, { temperature: 20 }), rulesOf)).toBe(false);

    taught(steady, rules, new Map([[hot, stateAfter(hot, Array(70).fill(20))]]));
    expect(steady.settles(point(0, { temperature: 20 }), () => [hot])).toBe(false); // reloaded

    // Two evaluations began; the first to end is not the last to begin: not learned.
    const calm = stateAfter(hot, Array(70).fill(20));
    const first = steady.begin('t', 'd', [hot]);
    steady.begin('t', 'd', [hot]);
    steady.learn({
      tenantId: 't',
      deviceId: 'd',
      rules,
      readers: new Map([['temperature', rules]]),
      states: new Map([[hot, calm]]),
      generation: first,
    });
    expect(steady.settles(point(0, { temperature: 20 }), rulesOf)).toBe(false);

    taught(steady, rules, new Map([[hot, calm]]));
    expect(steady.settles(point(0, { temperature: 20 }), rulesOf)).toBe(true);
    steady.forget('t', 'd');
    expect(steady.settles(point(0, { temperature: 20 }), rulesOf)).toBe(false);
  });

  it('what it knows expires', () => {
    let now = 0;
    const steady = new SteadyPairs(60_000, 10, () => now);
    taught(steady, rules, new Map([[hot, stateAfter(hot, Array(70).fill(20))]]));
    expect(steady.settles(point(0, { temperature: 20 }), rulesOf)).toBe(true);
    now = 60_001;
    expect(steady.settles(point(0, { temperature: 20 }), rulesOf)).toBe(false);
  });

  it('compares every field of a rule state (a new field must be compared too)', () => {
    const held = stateAfter(hot, Array(10).fill(90));
    expect(sameState(held, { ...held })).toBe(true);
    for (const key of Object.keys(initialRuleState)) {
      if (key === 'lastAt') continue; // not kept for these rules
      const changed = { ...held, [key]: key === 'window' ? 'bbbbo' : 12345 } as RuleState;
      expect(sameState(held, changed), key).toBe(false);
    }
  });
});

import type { Snapshot, FieldValue } from '../twins/alarms/condition';
import { judge } from '../twins/alarms/condition';
import { isCalm, step, type RuleState } from '../twins/alarms/evaluate';
import type { AlarmRule } from '../twins/alarms/rule';
import {
  deviceKeyOf as keyOf,
  type AlarmDatapoint,
  type LoadedRule,
  type RulesOf,
} from './alarm-evaluation';

/**
 * What one gateway knows of the devices it holds: for each (device, rule) pair whose rule
 * reads nothing but the datapoint's own values (and keeps nothing between datapoints), the
 * state its last evaluation committed. A datapoint that leaves every such state exactly as it
 * is — a calm rule judging ok again, an alarm held by one more breaching value — changes
 * nothing in PostgreSQL, so a batch made only of such datapoints needs no statement beyond its
 * INSERT (docs/alarms.md, "What it costs"): a fleet in its steady state costs its alarm rules a
 * judgement per datapoint and rule, in memory.
 *
 * Anything else — a verdict that moves a window, a delay or a severity; a pair not known; a
 * device not evaluated for `maxAgeMs`; a new load of the tenant's rules — takes the
 * transactional path, which reads and locks the stored states and teaches this cache what it
 * committed. A device is forgotten when its connection ends here: it may next connect to
 * another gateway, whose datapoints change its states.
 */
/**
 * Writers of alarm states other than the gateways' evaluations (an operator clearing an alarm
 * resets its window) NOTIFY here, `[tenantId, deviceId]` as JSON: gateways forget the device.
 */
export const ALARM_STATES_CHANNEL = 'doppel_alarm_states';

export class SteadyPairs {
  private readonly devices = new Map<string, DeviceSteady>();

  constructor(
    private readonly maxAgeMs = 60_000,
    private readonly maxDevices = 200_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether the datapoint changes nothing: every rule of its device that reads one of its
   * fields is a known pair whose state this datapoint leaves as it is.
   */
  settles(d: AlarmDatapoint, rulesOf: RulesOf): boolean {
    const device = this.devices.get(keyOf(d.tenantId, d.deviceId));
    if (!device || device.rules !== rulesOf(d.tenantId) || device.until < this.now()) return false;
    let snapshot: Snapshot | null = null;
    for (const f in d.fields) {
      const readers = device.readers.get(f);
      if (!readers) continue;
      for (const rule of readers) {
        const known = device.states.get(rule);
        if (!known) return false;
        snapshot ??= valuesSnapshot(d);
        if (known.kind === 'calm') {
          if (judge(rule.rule.condition, snapshot, false) !== 'ok') return false;
        } else if (known.kind === 'held') {
          if (judge(rule.rule.condition, snapshot, true) !== 'breaching') return false;
        } else {
          const next = step(known.state, rule.rule, snapshot);
          if (next.transitions.length > 0 || !sameState(next.state, known.state)) return false;
        }
      }
    }
    return true;
  }

  /**
   * The transactional path begins for these pairs: they are no longer known (a batch meanwhile
   * takes that path too), and what this evaluation learns is kept only if no other began for
   * the device before it ends.
   */
  begin(tenantId: string, deviceId: string, rules: readonly LoadedRule[]): number {
    const key = keyOf(tenantId, deviceId);
    let device = this.devices.get(key);
    if (!device) {
      if (this.devices.size >= this.maxDevices) {
        const oldest = this.devices.keys().next().value;
        if (oldest !== undefined) this.devices.delete(oldest);
      }
      device = { rules: NONE, readers: new Map(), states: new Map(), generation: 0, until: 0 };
      this.devices.set(key, device);
    }
    for (const rule of rules) device.states.delete(rule);
    return ++device.generation;
  }

  /** After the COMMIT of an evaluation: what it found about a device. */
  learn(lesson: SteadyLesson): void {
    const device = this.devices.get(keyOf(lesson.tenantId, lesson.deviceId));
    // Forgotten meanwhile, or another evaluation began since this one: that one knows better.
    if (!device || device.generation !== lesson.generation) return;
    if (device.rules !== lesson.rules) {
      device.rules = lesson.rules;
      device.states.clear();
    }
    device.readers = lesson.readers;
    for (const [rule, state] of lesson.states) {
      if (state) device.states.set(rule, { state, kind: kindOf(state, rule.rule) });
      else device.states.delete(rule);
    }
    device.until = this.now() + this.maxAgeMs;
  }

  /** The device's connection ended here, or another writer changed its states. */
  forget(tenantId: string, deviceId: string): void {
    this.devices.delete(keyOf(tenantId, deviceId));
  }

  /** Every device (a notification may have been missed). */
  forgetAll(): void {
    this.devices.clear();
  }

  get size(): number {
    return this.devices.size;
  }
}

/** What an evaluation found about one device, for `SteadyPairs.learn` after its COMMIT. */
export interface SteadyLesson {
  readonly tenantId: string;
  readonly deviceId: string;
  /** The tenant's rules as the evaluation had them (a new load starts over). */
  readonly rules: readonly LoadedRule[];
  /** Field → the rules that apply to the device and read it. */
  readonly readers: ReadonlyMap<string, readonly LoadedRule[]>;
  /** Each pair judged: its committed state, or null when its rule keeps more than the state. */
  readonly states: ReadonlyMap<LoadedRule, RuleState | null>;
  readonly generation: number;
}

interface DeviceSteady {
  rules: readonly LoadedRule[];
  readers: ReadonlyMap<string, readonly LoadedRule[]>;
  readonly states: Map<LoadedRule, KnownState>;
  generation: number;
  until: number;
}

/** A committed state, and which of the cheap checks it takes (decided once, when learned). */
interface KnownState {
  readonly state: RuleState;
  readonly kind: 'calm' | 'held' | 'other';
}

const kindOf = (state: RuleState, rule: AlarmRule): KnownState['kind'] =>
  isCalm(state, rule) ? 'calm' : isHeld(state, rule) ? 'held' : 'other';

/** No load of rules: a device whose first evaluation has not committed yet. */
const NONE: readonly LoadedRule[] = [];

/**
 * An alarm raised and held: every verdict in the window breaching, nothing pending, no
 * escalation or de-escalation configured — one more breaching verdict leaves it exactly so.
 */
const isHeld = (state: RuleState, rule: AlarmRule): boolean =>
  state.severity !== null &&
  rule.escalation.length === 0 &&
  rule.deescalateAfterSeconds === undefined &&
  state.okRun === 0 &&
  state.pendingSince === null &&
  state.clearingSince === null &&
  state.breachingSince !== null &&
  state.okSince === null &&
  state.window.length === rule.raise.of &&
  /^b*$/.test(state.window);

/** Equal as stored (`lastAt` is not kept for these rules). */
export const sameState = (a: RuleState, b: RuleState): boolean =>
  a.window === b.window &&
  a.okRun === b.okRun &&
  a.pendingSince === b.pendingSince &&
  a.clearingSince === b.clearingSince &&
  a.severity === b.severity &&
  a.raisedAt === b.raisedAt &&
  a.breachingSince === b.breachingSince &&
  a.okSince === b.okSince;

/** The datapoint alone, as a rule that reads only its values judges it. */
function valuesSnapshot(d: AlarmDatapoint): Snapshot {
  const fields: Record<string, { value: FieldValue; at: number }> = {};
  for (const f in d.fields) fields[f] = { value: d.fields[f]!, at: d.at };
  return {
    at: d.at,
    fields,
    previous: {},
    lastSeenAt: d.at,
    online: null,
    offlineSince: null,
    lifecycle: null,
  };
}

import { judge, type Outcome, type Snapshot } from './condition';
import { severityRank, type AlarmRule, type Severity } from './rule';

/**
 * Where one rule stands for one device: kept with the device (PostgreSQL, `alarm_states`),
 * so an alarm's anti-flap window survives every restart. Times in ms since the epoch.
 */
export interface RuleState {
  /** The last `raise.of` verdicts, oldest first: b(reaching), o(k), m(issing). */
  readonly window: string;
  /** Verdicts in a row that did not breach (for `clear.consecutive`). */
  readonly okRun: number;
  /** Since when the raise condition has held (for `startDelaySeconds`). */
  readonly pendingSince: number | null;
  /** Since when the clear condition has held (for `resolveDelaySeconds`). */
  readonly clearingSince: number | null;
  /** The active alarm's severity (null: no active alarm). */
  readonly severity: Severity | null;
  readonly raisedAt: number | null;
  /** Since when an active alarm's condition has breached without a break (escalation). */
  readonly breachingSince: number | null;
  /** Since when an active alarm's condition has not breached (de-escalation). */
  readonly okSince: number | null;
  /** The last datapoint judged (for gaps counted as missing with `periodSeconds`). */
  readonly lastAt: number | null;
}

export const initialRuleState: RuleState = {
  window: '',
  okRun: 0,
  pendingSince: null,
  clearingSince: null,
  severity: null,
  raisedAt: null,
  breachingSince: null,
  okSince: null,
  lastAt: null,
};

/** What a step did to the alarm (the alarm entity and its notifications follow these). */
export type AlarmTransition =
  | { readonly kind: 'raise'; readonly severity: Severity; readonly at: number }
  | { readonly kind: 'clear'; readonly at: number }
  | {
      readonly kind: 'severity';
      readonly from: Severity;
      readonly to: Severity;
      readonly at: number;
    };

export interface Step {
  readonly state: RuleState;
  readonly transitions: readonly AlarmTransition[];
}

const MAX_RUN = 64;

const CODE: Record<Outcome, string> = { breaching: 'b', ok: 'o', missing: 'm' };

/**
 * Calm for good: no alarm, nothing pending, a window of `raise.of` calm verdicts and the calm
 * run at its cap. Another calm verdict changes nothing (the ingest path skips it).
 */
export function isCalm(state: RuleState, rule: AlarmRule): boolean {
  return (
    state.severity === null &&
    state.pendingSince === null &&
    state.clearingSince === null &&
    state.breachingSince === null &&
    state.okRun === MAX_RUN &&
    state.window.length === rule.raise.of &&
    !state.window.includes('b') &&
    !state.window.includes('m')
  );
}

/** A verdict as the rule's missing-data policy has it (null: skipped, as if never judged). */
function treated(rule: AlarmRule, outcome: Outcome): Outcome | null {
  if (outcome !== 'missing') return outcome;
  switch (rule.missingData) {
    case 'ignore':
      return null;
    case 'breaching':
      return 'breaching';
    case 'notBreaching':
      return 'ok';
    default:
      return 'missing';
  }
}

function push(state: RuleState, rule: AlarmRule, outcome: Outcome): RuleState {
  const window = (state.window + CODE[outcome]).slice(-rule.raise.of);
  return {
    ...state,
    window,
    // Capped (at clear.consecutive's maximum): a calm device's state stops changing.
    okRun:
      outcome === 'ok'
        ? Math.min(state.okRun + 1, MAX_RUN)
        : outcome === 'breaching'
          ? 0
          : state.okRun,
  };
}

/**
 * One datapoint (or one sweep, `datapoint: false`) judged against one rule: the verdict goes
 * into the window, then the delays, escalation and clearing are settled at `snapshot.at`.
 * Pure: the same state, rule and snapshot always give the same step.
 *
 * @example step(initialRuleState, rule, snapshot) // { state, transitions: [{ kind: 'raise', … }] }
 */
export function step(
  previous: RuleState,
  rule: AlarmRule,
  snapshot: Snapshot,
  datapoint = true,
): Step {
  const at = snapshot.at;
  let state = previous;
  // A gap longer than the expected period: the datapoints that did not come, counted missing.
  if (datapoint && rule.periodSeconds !== undefined && state.lastAt !== null) {
    const gaps = Math.floor((at - state.lastAt) / (rule.periodSeconds * 1_000)) - 1;
    const missing = treated(rule, 'missing');
    if (missing !== null) {
      for (let i = 0; i < Math.min(gaps, rule.raise.of); i++) state = push(state, rule, missing);
    }
  }
  const verdict = treated(rule, judge(rule.condition, snapshot, state.severity !== null));
  if (verdict !== null && (datapoint || verdict !== 'missing')) {
    state = push(state, rule, verdict);
    state = {
      ...state,
      ...(datapoint ? { lastAt: at } : {}),
      breachingSince: verdict === 'breaching' ? (state.breachingSince ?? at) : null,
      okSince: verdict === 'ok' ? (state.okSince ?? at) : null,
    };
  }
  return settle(state, rule, at);
}

/** Delays, raise, escalation, de-escalation and clear at time `at`, from the window as it is. */
function settle(state: RuleState, rule: AlarmRule, at: number): Step {
  const transitions: AlarmTransition[] = [];
  if (state.severity === null) {
    const breaches = [...state.window].filter((c) => c === 'b').length;
    if (breaches < rule.raise.datapoints)
      return { state: { ...state, pendingSince: null }, transitions };
    const pendingSince = state.pendingSince ?? at;
    if (at - pendingSince < rule.startDelaySeconds * 1_000)
      return { state: { ...state, pendingSince }, transitions };
    transitions.push({ kind: 'raise', severity: rule.severity, at });
    state = {
      ...state,
      pendingSince: null,
      clearingSince: null,
      severity: rule.severity,
      raisedAt: at,
      breachingSince: state.breachingSince ?? at,
      okRun: 0,
    };
  }
  // Active: clear, or else settle the severity.
  if (state.okRun >= rule.clear.consecutive) {
    const clearingSince = state.clearingSince ?? at;
    if (at - clearingSince >= rule.resolveDelaySeconds * 1_000) {
      transitions.push({ kind: 'clear', at });
      return {
        state: {
          ...initialRuleState,
          lastAt: state.lastAt,
          // A fresh window: the datapoints that raised this alarm cannot raise the next one.
          window: '',
        },
        transitions,
      };
    }
    state = { ...state, clearingSince };
  } else {
    state = { ...state, clearingSince: null };
  }
  const severity = severityAt(state, rule, at);
  if (severity !== state.severity) {
    transitions.push({ kind: 'severity', from: state.severity!, to: severity, at });
    state = { ...state, severity };
  }
  return { state, transitions };
}

/** Escalated by how long the breach has lasted; back to the rule's once calm long enough. */
function severityAt(state: RuleState, rule: AlarmRule, at: number): Severity {
  const current = state.severity!;
  if (state.breachingSince !== null) {
    const lasted = at - state.breachingSince;
    let severity = current;
    for (const s of rule.escalation) {
      if (lasted >= s.afterSeconds * 1_000 && severityRank(s.severity) > severityRank(severity))
        severity = s.severity;
    }
    return severity;
  }
  if (
    state.okSince !== null &&
    rule.deescalateAfterSeconds !== undefined &&
    at - state.okSince >= rule.deescalateAfterSeconds * 1_000
  )
    return rule.severity;
  return current;
}

/**
 * A sweep at `snapshot.at` with no new datapoint: time-driven conditions (`noDataFor`,
 * `offlineFor`) are judged, delays and escalations that have come due are settled. A
 * data-driven verdict is not repeated (a sweep is not a datapoint).
 */
export function sweep(
  previous: RuleState,
  rule: AlarmRule,
  snapshot: Snapshot,
  timeDriven: boolean,
): Step {
  if (timeDriven) return step(previous, rule, snapshot, false);
  return settle(previous, rule, snapshot.at);
}

import type { AlarmRule } from '../twins/alarms/rule';
import type { DeviceContext, LoadedRule } from './alarm-evaluation';

/**
 * A tenant's alarm rules indexed for the ingest path: by the field they read, then by the
 * device profile they name — built once per load of the tenant's rules (the gateway's cache
 * keeps one list while the rules are unchanged), so a datapoint meets only the rules that read
 * one of its fields for its device's model, however many rules the tenant has.
 */

/** Whether a rule's scope takes in this device. */
export function applies(rule: AlarmRule, device: DeviceContext): boolean {
  const { deviceProfile, assetType, siteId } = rule.scope;
  return (
    (deviceProfile === undefined || deviceProfile === device.model) &&
    (assetType === undefined || assetType === device.asset_type) &&
    (siteId === undefined || siteId === device.site_id)
  );
}

/** A tenant's rules by the field they read, then by the device profile they name ('*': any). */
export interface RuleIndex {
  readonly byField: ReadonlyMap<string, ReadonlyMap<string, readonly LoadedRule[]>>;
  /** Per model: field → the rules reading it that name this model or none (built on use). */
  readonly forModel: Map<string, ReadonlyMap<string, readonly LoadedRule[]>>;
}

/** Indexes by the rule list they index: built once per load of a tenant's rules, not per batch. */
const ruleIndexes = new WeakMap<readonly LoadedRule[], RuleIndex>();

export function indexOf(rules: readonly LoadedRule[]): RuleIndex {
  let index = ruleIndexes.get(rules);
  if (!index) {
    const byField = new Map<string, Map<string, LoadedRule[]>>();
    for (const rule of rules)
      for (const f of rule.fields) {
        let byModel = byField.get(f);
        if (!byModel) byField.set(f, (byModel = new Map()));
        const model = rule.rule.scope.deviceProfile ?? '*';
        const list = byModel.get(model);
        if (list) list.push(rule);
        else byModel.set(model, [rule]);
      }
    index = { byField, forModel: new Map() };
    ruleIndexes.set(rules, index);
  }
  return index;
}

/** Field → the rules a device of this model meets on it (any model's, and its own model's). */
export function readersFor(
  index: RuleIndex,
  model: string | null,
): ReadonlyMap<string, readonly LoadedRule[]> {
  const key = model ?? '*';
  let readers = index.forModel.get(key);
  if (!readers) {
    const built = new Map<string, readonly LoadedRule[]>();
    for (const [f, byModel] of index.byField) {
      const rules = [
        ...(byModel.get('*') ?? []),
        ...(model !== null ? (byModel.get(model) ?? []) : []),
      ];
      if (rules.length > 0) built.set(f, rules);
    }
    index.forModel.set(key, (readers = built));
  }
  return readers;
}

/** Field → the rules that apply to this device and read it. */
export function applicableReaders(
  readers: ReadonlyMap<string, readonly LoadedRule[]>,
  device: DeviceContext,
): ReadonlyMap<string, readonly LoadedRule[]> {
  const out = new Map<string, readonly LoadedRule[]>();
  for (const [f, rules] of readers) {
    const applicable = rules.filter((r) => applies(r.rule, device));
    if (applicable.length > 0) out.set(f, applicable);
  }
  return out;
}

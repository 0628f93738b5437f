import type { LoadedRule, RulesOf } from '../db/alarm-evaluation';
import { loadEnabledAlarmRules } from '../db/alarm-rule-store';
import type { Database } from '../db/client';
import { fieldsOf } from '../twins/alarms/condition';

interface Entry {
  rules: readonly LoadedRule[];
  loadedAt: number;
  refreshing: Promise<void> | null;
}

/**
 * The enabled alarm rules of the tenants this gateway serves, read from PostgreSQL and kept
 * `maxAgeMs` (a rule's change reaches every gateway within that). A tenant's first batch waits
 * for its rules, so no datapoint is judged against rules not yet read; later batches use the
 * rules in hand while a refresh runs.
 */
export class AlarmRuleCache {
  private readonly tenants = new Map<string, Entry>();

  constructor(
    private readonly database: Database,
    private readonly maxAgeMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The rules of these tenants, loaded first for a tenant not seen before. */
  async rulesFor(tenantIds: Iterable<string>): Promise<RulesOf> {
    const waits: Promise<void>[] = [];
    for (const tenantId of new Set(tenantIds)) {
      const entry = this.tenants.get(tenantId);
      if (!entry) waits.push(this.refresh(tenantId));
      else if (this.now() - entry.loadedAt >= this.maxAgeMs && !entry.refreshing)
        void this.refresh(tenantId).catch(() => {
          // Kept: the rules in hand; the next batch tries again.
        });
    }
    await Promise.all(waits);
    return (tenantId) => this.tenants.get(tenantId)?.rules ?? [];
  }

  private refresh(tenantId: string): Promise<void> {
    const entry = this.tenants.get(tenantId);
    if (entry?.refreshing) return entry.refreshing;
    const refreshing = loadEnabledAlarmRules(this.database, tenantId).then(
      (rows) => {
        const kept = this.tenants.get(tenantId)?.rules;
        // Unchanged rules stay the same list: what was learned against them stays good
        // (db/alarm-steady.ts forgets a device's states when its tenant's rules change).
        const same =
          kept !== undefined &&
          kept.length === rows.length &&
          kept.every((r, i) => r.ruleId === rows[i]!.ruleId && r.version === rows[i]!.version);
        this.tenants.set(tenantId, {
          rules: same
            ? kept
            : rows.map((r) => ({ ...r, fields: new Set(fieldsOf(r.rule.condition)) })),
          loadedAt: this.now(),
          refreshing: null,
        });
      },
      (error: unknown) => {
        const kept = this.tenants.get(tenantId);
        if (kept) kept.refreshing = null;
        throw error;
      },
    );
    if (entry) entry.refreshing = refreshing;
    return refreshing;
  }
}

import { createAlarmRule } from '../db/alarm-rule-store';
import type { Database } from '../db/client';
import { alarmRuleSchema } from '../twins/alarms/rule';

/** The model of the devices a benchmark judges against its tenant's rules. */
export const ALARM_BENCH_MODEL = 'bench-meter';

/**
 * `count` alarm rules for a tenant as one with many device profiles has them: 10 read the
 * fields the load generator's samples carry (power, temperature, energy_Wh) for
 * ALARM_BENCH_MODEL — 9 never breach (anti-flap windows of 3 of 5, hysteresis), 1 breaches on
 * every sample (raised once, then held) — and the rest name other models.
 */
export async function seedAlarmRules(database: Database, tenantId: string, count: number) {
  const fields = ['power', 'temperature', 'energy_Wh'];
  for (let i = 0; i < count; i++) {
    const ours = i < 10;
    const field = fields[i % fields.length]!;
    const rule = alarmRuleSchema.parse({
      name: `rule ${i}`,
      alarmType: ours ? `Bench${i}` : `Other${i}`,
      scope: { deviceProfile: ours ? ALARM_BENCH_MODEL : `other-model-${i % 100}` },
      severity: 'major',
      condition:
        i === 0
          ? { field: 'power', above: 1_000 }
          : { field, above: 1_000_000 + i, clearBelow: 900_000 },
      raise: { datapoints: 3, of: 5 },
      clear: { consecutive: 3 },
    });
    await createAlarmRule(
      database,
      { tenantId, ruleId: `r${i}`, actor: 'bench', role: 'admin' },
      rule,
    );
  }
}

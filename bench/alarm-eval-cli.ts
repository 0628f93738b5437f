// `npx tsx bench/alarm-eval-cli.ts [--batches=N]`: the ingest path's CPU per sample in this
// process (what the gateway spends), with and without 1,000 alarm rules — the alarm
// evaluation's cost isolated from the WebSocket side (docs/alarms.md, "What it costs").
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { insertTelemetry, type TelemetryRow } from '../db/telemetry-store';
import { AlarmRuleCache } from '../gateway/alarm-rules';
import { SteadyPairs } from '../db/alarm-steady';
import { registerDevice, startStack } from '../test/support/stack';
import { ALARM_BENCH_MODEL, seedAlarmRules } from './alarm-rules';
import { startBenchInfrastructure } from './report';

const batches = Number(process.argv.find((a) => a.startsWith('--batches='))?.slice(10) ?? 400);
const DEVICES = 16;
const PER_DEVICE = 8;

const infra = await startBenchInfrastructure('dev');
const stack = await startStack(infra);
try {
  const plain = 'bench';
  const alarmed = 'bench-alarms';
  for (const [tenant, model] of [
    [plain, ALARM_BENCH_MODEL],
    [alarmed, ALARM_BENCH_MODEL],
  ] as const)
    await Promise.all(
      Array.from({ length: DEVICES }, (_, i) => registerDevice(stack, tenant, `d${i}`, model)),
    );
  await seedAlarmRules(stack.database, alarmed, 1_000);
  const cache = new AlarmRuleCache(stack.database);
  // As the gateway has it (--no-calm: every batch takes the transactional path).
  const steady = process.argv.includes('--no-steady') ? undefined : new SteadyPairs();
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const batchOf = (tenantId: string): TelemetryRow[] => {
    const rows: TelemetryRow[] = [];
    for (let k = 0; k < PER_DEVICE; k++) {
      clock += 1;
      for (let i = 0; i < DEVICES; i++)
        rows.push({
          tenantId,
          deviceId: `d${i}`,
          at: new Date(clock).toISOString(),
          values: { power: 1_200 + (clock % 50), temperature: 21.5, energy_Wh: clock % 100_000 },
        });
    }
    return rows;
  };
  const run = async (tenantId: string, n: number) => {
    const start = process.cpuUsage();
    const wall = performance.now();
    for (let b = 0; b < n; b++) {
      const rows = batchOf(tenantId);
      await insertTelemetry(
        stack.database,
        rows,
        await cache.rulesFor(rows.map((r) => r.tenantId)),
        steady,
      );
    }
    const used = process.cpuUsage(start);
    const samples = n * DEVICES * PER_DEVICE;
    return {
      cpuUs: (used.user + used.system) / samples,
      wallUs: ((performance.now() - wall) * 1000) / samples,
    };
  };
  await run(plain, 50);
  await run(alarmed, 50);
  const results: Record<string, number[]> = { plain: [], alarmed: [] };
  for (let round = 0; round < 5; round++) {
    results.plain!.push((await run(plain, batches / 5)).cpuUs);
    results.alarmed!.push((await run(alarmed, batches / 5)).cpuUs);
  }
  // --cpu-prof=<file>: a V8 profile of this process judging the rules alone.
  const profileTo = process.argv.find((a) => a.startsWith('--cpu-prof='))?.slice(11);
  if (profileTo) {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    await run(alarmed, batches / 5);
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileTo, JSON.stringify(profile));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const p = median(results.plain!);
  const a = median(results.alarmed!);
  console.log(
    `batch ${DEVICES}×${PER_DEVICE}: plain ${p.toFixed(2)} µs/sample, 1,000 rules ${a.toFixed(2)} µs/sample, extra ${(a - p).toFixed(2)} µs (${((a / p - 1) * 100).toFixed(0)} %)`,
  );
  console.log(JSON.stringify(results));
} finally {
  await stack.stop();
  await infra.stop();
}

/**
 * The cost-per-event harness itself, run with tiny sizes against this checkout on its own
 * scratch backends (a Temporal dev server and a private PostgreSQL), its roles as processes:
 * every kind of event gets its row, and what must cost something does.
 */
import { describe, expect, it } from 'vitest';
import { thisTree } from './cost/roles';
import { costPerEventBench, EVENT_KINDS } from './cost-per-event';

describe('cost per device event', () => {
  it('measures every kind of event against a tree and writes a row for each, with the device-month cost', async () => {
    const lines: string[] = [];
    const section = await costPerEventBench({
      quick: true,
      progress: (line) => lines.push(line),
      trees: [thisTree()],
      sizes: { devices: 20, rolloutDevices: 3, provisioningRows: 3, baselineMs: 5_000 },
    });
    const rows = section.split('\n').filter((l) => l.startsWith('| ') && l.includes('| this ('));
    const cells = (label: string) => {
      const row = rows.find((l) => l.startsWith(`| ${label} |`));
      expect(row, `a row for ${label} in\n${section}`).toBeDefined();
      return row!.split('|').map((c) => c.trim());
    };
    for (const { label } of EVENT_KINDS) cells(label);
    // | event | design | history events | state transitions | workflow tasks | actions | PG xacts | WAL bytes | …
    const report = cells('plain report');
    expect(Number(report[7]!.replaceAll(',', ''))).toBeGreaterThan(0); // PG transactions
    expect(Number(report[8]!.replaceAll(',', ''))).toBeGreaterThan(0); // WAL bytes
    // A rollout device is commanded through Temporal in every design: actions, and the
    // server's own count of state transitions (read from DescribeWorkflowExecution).
    const rollout = cells('rollout device');
    expect(Number(rollout[6]!.split(' ')[0])).toBeGreaterThan(0);
    expect(Number(rollout[4])).toBeGreaterThan(0);
    expect(section).toMatch(
      /\| this \([0-9a-f]+.*\| [\d,]+ \| \$[\d.]+ \| \$[\d.]+ \| ≤ \$0\.05 \|/,
    );
    expect(section).toContain('<!-- figures: ');
  }, 900_000);
});

import { BULK_PROGRESS, PROVISION_DEVICES } from '../graphql/cli/commands/bulk-queries';
import { graphql } from '../test/support/graphql';
import { backendsOf, benchCommand, figuresLine, machine, withScratchStack } from './report';
import type { BenchOptions, BenchProfile } from './report';

/**
 * Rows of the file: 1,000 (`--quick`: 200), or `--bulk-rows=N` (the API takes at most 10,000
 * per file: `npm run bench -- --only=provisioning --bulk-rows=10000` times the largest file).
 */
export const BULK_ROWS = { full: 1_000, quick: 200 } as const;

function rowsOf(quick: boolean): number {
  const arg = process.argv.find((a) => a.startsWith('--bulk-rows='));
  if (!arg) return quick ? BULK_ROWS.quick : BULK_ROWS.full;
  const n = Number(arg.slice('--bulk-rows='.length));
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new Error(`--bulk-rows wants a whole number from 1 to 10,000: ${arg}`);
  return n;
}
/** How long the bulk may take to reach every row awaiting activation. */
const GIVE_UP_MS = 600_000;

interface BulkResult {
  rows: number;
  /** The mutation's answer: file validated, rows recorded, secrets issued, workflow started. */
  answerSeconds: number;
  /** Until the bulk workflow had started every row's provisioning workflow. */
  submittedSeconds: number;
  /** Until every row's provisioning had its twin and identity (awaiting the device). */
  awaitingSeconds: number | null;
  counts: Record<string, number>;
}

/**
 * Issue 17, item 5 (issue 18: ≥ 300 rows/s): bulk provisioning of one CSV file through the API
 * (`provisionDevices`): every row validated, its secret issued and hashed, then the bulk
 * workflow registers the rows in batches (record, identity, audit, outbox: one transaction per
 * page) until every row awaits its device's first connection. Devices do not connect here
 * (connecting is the connections section's), so activation is not part of the time.
 */
export async function bulkProvisioningBench(opts: BenchOptions): Promise<string> {
  const profile = opts.profile ?? 'dev';
  const rows = rowsOf(opts.quick);
  const result = await withScratchStack(async (stack) => {
    const tenantId = 'bench-bulk';
    const csv = [
      'serial,method',
      ...Array.from({ length: rows }, (_, i) => `SN-${i},credentials`),
    ].join('\n');
    opts.progress(`  provisioning ${rows} devices from one CSV file`);
    const t0 = Date.now();
    const res = await graphql(stack.apiUrl, PROVISION_DEVICES, {
      i: { tenantId, format: 'CSV', content: csv },
    });
    if (res.errors) throw new Error(`provisionDevices: ${JSON.stringify(res.errors)}`);
    const bulkId = res.data.provisionDevices.bulkId as string;
    const answerSeconds = (Date.now() - t0) / 1000;
    let submittedSeconds: number | null = null;
    let counts: Record<string, number> = {};
    while (Date.now() - t0 < GIVE_UP_MS) {
      const progress = await graphql(stack.apiUrl, BULK_PROGRESS, { t: tenantId, b: bulkId });
      if (progress.errors) throw new Error(`bulkProvisioning: ${JSON.stringify(progress.errors)}`);
      const bulk = progress.data.bulkProvisioning;
      counts = bulk.counts;
      if (submittedSeconds === null && bulk.status === 'SUBMITTED') {
        submittedSeconds = (Date.now() - t0) / 1000;
        opts.progress(`  every row submitted after ${submittedSeconds.toFixed(1)} s`);
      }
      if (submittedSeconds !== null && (counts.awaitingActivation ?? 0) >= rows) {
        return {
          rows,
          answerSeconds,
          submittedSeconds,
          awaitingSeconds: (Date.now() - t0) / 1000,
          counts,
        };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return {
      rows,
      answerSeconds,
      submittedSeconds: submittedSeconds ?? NaN,
      awaitingSeconds: null,
      counts,
    };
  }, profile);
  return section(result, opts.quick, profile);
}

function section(r: BulkResult, quick: boolean, profile: BenchProfile): string {
  const perSecond = r.awaitingSeconds === null ? null : r.rows / r.awaitingSeconds;
  return `## Bulk provisioning: one file of ${r.rows.toLocaleString('en')} devices

Command: \`${benchCommand(quick, profile)}\`. Machine: ${machine()}. One run.
Backends: ${backendsOf(profile)}. One CSV file of ${r.rows.toLocaleString('en')} rows
(\`serial,credentials\`) through \`provisionDevices\` (the API validates every row, issues and
hashes its secret and records it, then the bulk workflow registers the rows in batches: record,
identity, audit and outbox rows, one transaction per page of 500, no workflow per row). Timed from sending the file until every row awaits its device's first
connection; devices do not connect (activation is the connections section's work).

| rows | answer s | every row submitted after s | every row awaiting activation after s | rows/s | counts at the end |
|---|---|---|---|---|---|
| ${r.rows.toLocaleString('en')} | ${r.answerSeconds.toFixed(1)} | ${r.submittedSeconds.toFixed(1)} | ${r.awaitingSeconds === null ? `not within ${GIVE_UP_MS / 1000} s` : r.awaitingSeconds.toFixed(1)} | ${perSecond === null ? '—' : perSecond.toFixed(1)} | ${Object.entries(
    r.counts,
  )
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')} |
${figuresLine({
  section: 'provisioning',
  profile,
  quick,
  figures:
    perSecond === null
      ? []
      : [
          {
            key: `rows-per-s-${r.rows}`,
            label: `bulk provisioning of ${r.rows.toLocaleString('en')} devices: rows/s to awaiting activation`,
            value: Number(perSecond.toFixed(1)),
            better: 'higher' as const,
          },
        ],
})}`;
}

import { BULK_PROGRESS, PROVISION_DEVICES } from '../graphql/cli/commands/bulk-queries';
import { graphql } from '../test/support/graphql';
import { backendsOf, benchCommand, figuresLine, machine, withScratchStack } from './report';
import type { BenchOptions, BenchProfile } from './report';

/** Rows of the file: 1,000 (`--quick`: 200); the API takes at most 10,000 per file. */
export const BULK_ROWS = { full: 1_000, quick: 200 } as const;
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
 * Issue 17, item 5: bulk provisioning of one CSV file through the API (`provisionDevices`):
 * every row validated, its secret issued, then one provisioning workflow per row (admission,
 * twin, identity) until it awaits its device's first connection. Devices do not connect here
 * (connecting is the connections section's), so activation is not part of the time.
 */
export async function bulkProvisioningBench(opts: BenchOptions): Promise<string> {
  const profile = opts.profile ?? 'dev';
  const rows = opts.quick ? BULK_ROWS.quick : BULK_ROWS.full;
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
        opts.progress(`  every row's provisioning started after ${submittedSeconds.toFixed(1)} s`);
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
(\`serial,credentials\`) through \`provisionDevices\` (the API validates every row, records it
and issues its secret, then a bulk workflow starts one provisioning workflow per row: admission,
twin, identity). Timed from sending the file until every row awaits its device's first
connection; devices do not connect (activation is the connections section's work).

| rows | answer s | every provisioning started after s | every row awaiting activation after s | rows/s | counts at the end |
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

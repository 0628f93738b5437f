import type { ApiClient } from '../api-client';

export interface BulkState {
  status: 'SUBMITTING' | 'SUBMITTED';
  total: number;
  counts: {
    pending: number;
    registered: number;
    started: number;
    alreadyRegistered: number;
    alreadyProvisioned: number;
    refused: number;
    failed: number;
    submitted: number;
    admitting: number;
    awaitingActivation: number;
    active: number;
    provisioningRefused: number;
    provisioningFailed: number;
    settled: number;
  };
}

interface Row {
  line: number;
  serial: string;
  status: string;
  reason: string | null;
  provisioningStatus: string | null;
  provisioningReason: string | null;
}

/** Problem rows listed in the summary, per kind; the rest are in the API (rows(status:)). */
const LISTED = 20;

const ROWS = `query ($t: ID!, $b: ID!, $n: Int!, $s: BulkRowStatus, $p: ProvisioningStatus) {
  bulkProvisioning(tenantId: $t, bulkId: $b) {
    rows(first: $n, status: $s, provisioningStatus: $p) {
      line serial status reason provisioningStatus provisioningReason
    }
  }
}`;

/**
 * Prints what became of the bulk to stderr (stdout may carry the secrets), with the rows
 * that need the operator's attention. True when nothing was refused or failed.
 */
export async function printSummary(
  api: ApiClient,
  key: { t: string; b: string },
  state: BulkState,
  { unit, followedActivation }: { unit: 'line' | 'item'; followedActivation: boolean },
): Promise<boolean> {
  const c = state.counts;
  const out = (line: string) => process.stderr.write(`${line}\n`);
  out(
    `bulk ${key.b}: ${state.total} rows — ${c.registered} registered, ${c.started} started, ${c.alreadyRegistered + c.alreadyProvisioned} registered or provisioned before (their secrets are void), ${c.refused} refused, ${c.failed} failed`,
  );
  out(
    `activation of the registered and started rows: ${c.active} active, ${c.awaitingActivation} awaiting activation, ${c.admitting} admitting, ${c.provisioningRefused} refused, ${c.provisioningFailed} failed`,
  );
  const kinds: Array<{ s?: string; p?: string; count: number }> = [
    { s: 'ALREADY_REGISTERED', count: c.alreadyRegistered },
    { s: 'ALREADY_PROVISIONED', count: c.alreadyProvisioned },
    { s: 'FAILED', count: c.failed },
    ...(followedActivation
      ? [
          { p: 'REFUSED', count: c.provisioningRefused },
          { p: 'FAILED', count: c.provisioningFailed },
        ]
      : []),
  ];
  for (const kind of kinds.filter((k) => k.count > 0)) {
    const { bulkProvisioning } = await api.request<{ bulkProvisioning: { rows: Row[] } }>(ROWS, {
      ...key,
      n: LISTED,
      s: kind.s ?? null,
      p: kind.p ?? null,
    });
    for (const r of bulkProvisioning.rows)
      out(
        `  ${unit} ${r.line} ${r.serial}: ${kind.p ? `provisioning ${r.provisioningStatus}` : r.status} — ${(kind.p ? r.provisioningReason : r.reason) ?? ''}`,
      );
    if (kind.count > LISTED) out(`  … and ${kind.count - LISTED} more`);
  }
  const problems =
    c.refused +
    c.failed +
    c.alreadyProvisioned +
    c.alreadyRegistered +
    (followedActivation ? c.provisioningRefused + c.provisioningFailed : 0);
  return problems === 0;
}

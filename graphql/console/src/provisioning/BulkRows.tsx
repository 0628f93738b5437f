// What became of each row of a bulk provisioning, read again every few seconds: registered or
// started, refused or failed (with the reason), and its provisioning as the device connects.
import { useEffect } from 'react';
import { useQuery } from 'urql';
import { Pager, positionPage, useCursors } from '../Pager';
import { StatusFilter, useStatusFilter } from '../StatusFilter';

const BULK = /* GraphQL */ `
  query BulkProvisioning(
    $tenantId: ID!
    $bulkId: ID!
    $first: Int
    $after: Int
    $status: BulkRowStatus
  ) {
    bulkProvisioning(tenantId: $tenantId, bulkId: $bulkId) {
      bulkId
      status
      total
      counts {
        pending
        registered
        started
        alreadyRegistered
        alreadyProvisioned
        refused
        failed
        awaitingActivation
        active
        settled
      }
      rows(first: $first, after: $after, status: $status) {
        position
        line
        serial
        method
        status
        reason
        provisioningStatus
        provisioningReason
      }
    }
  }
`;

interface Row {
  position: number;
  line: number;
  serial: string;
  method: string;
  status: string;
  reason: string | null;
  provisioningStatus: string | null;
  provisioningReason: string | null;
}

interface Bulk {
  bulkId: string;
  status: string;
  total: number;
  counts: Record<string, number>;
  rows: Row[];
}

const ROW_STATUSES = [
  'PENDING',
  'REGISTERED',
  'STARTED',
  'ALREADY_REGISTERED',
  'ALREADY_PROVISIONED',
  'REFUSED',
  'FAILED',
];
const PAGE_SIZE = 100;
const POLL_MS = 2_000;

const COUNT_NAMES: [string, string][] = [
  ['registered', 'registered'],
  ['started', 'started'],
  ['pending', 'pending'],
  ['alreadyRegistered', 'already registered'],
  ['alreadyProvisioned', 'already provisioned'],
  ['refused', 'refused'],
  ['failed', 'failed'],
  ['awaitingActivation', 'awaiting activation'],
  ['active', 'active'],
];

export function BulkRows({ tenantId, bulkId }: { tenantId: string; bulkId: string }) {
  // The positions the pages before this one ended at.
  const afters = useCursors<number>(PAGE_SIZE);
  const status = useStatusFilter(afters);
  const [{ data, error }, refetch] = useQuery<{ bulkProvisioning: Bulk | null }>({
    query: BULK,
    variables: {
      tenantId,
      bulkId,
      first: PAGE_SIZE + 1,
      after: afters.after,
      status: status.value || null,
    },
  });
  const bulk = data?.bulkProvisioning;
  // Until every row's outcome is final, its state moves: read it again.
  const settled = bulk !== undefined && bulk !== null && bulk.counts.settled === bulk.total;
  useEffect(() => {
    if (settled) return;
    const poll = setInterval(() => refetch({ requestPolicy: 'network-only' }), POLL_MS);
    return () => clearInterval(poll);
  }, [settled, refetch]);
  if (error) return <p className="error">{error.message}</p>;
  if (bulk === null) return <p>No bulk provisioning {bulkId}.</p>;
  if (!bulk) return <p>Loading…</p>;
  const { rows, page } = positionPage(bulk.rows, PAGE_SIZE);
  return (
    <section aria-labelledby="rows-heading" className="bulk-rows">
      <h2 id="rows-heading">
        Rows of {bulk.bulkId}{' '}
        <span className={`status ${bulk.status.toLowerCase()}`}>{bulk.status}</span>
      </h2>
      <dl className="facts" aria-label="Row counts">
        {COUNT_NAMES.filter(([key]) => bulk.counts[key]).map(([key, name]) => (
          <div key={key} data-count={key}>
            <dt>{name}</dt>
            <dd>{bulk.counts[key]}</dd>
          </div>
        ))}
      </dl>
      <StatusFilter of="rows" label="Row status" statuses={ROW_STATUSES} status={status} />
      <div className="table-box">
        <table aria-label="Rows">
          <thead>
            <tr>
              <th scope="col">Serial</th>
              <th scope="col">Line</th>
              <th scope="col">Method</th>
              <th scope="col">Status</th>
              <th scope="col">Provisioning</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.position}>
                <th scope="row">{r.serial}</th>
                <td>{r.line}</td>
                <td>{r.method.toLowerCase()}</td>
                <td>{r.status}</td>
                <td>{r.provisioningStatus ?? '—'}</td>
                <td>{r.reason ?? r.provisioningReason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager label="rows" page={page} cursors={afters} />
    </section>
  );
}

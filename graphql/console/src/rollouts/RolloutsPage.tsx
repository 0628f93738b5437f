// The tenant's rollouts and bulk commands, newest first, paged on the server, with a status
// filter; read again every few seconds while the page is open (progress moves).
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { may } from '../session';
import { useSession } from '../session-context';
import { tenantPath } from '../tenant-path';
import { CountsBar, countsSentence } from './CountsBar';
import { COUNTS_FIELDS, ROLLOUT_STATUSES, timeOf, whatOf, type Counts } from './rollout-view';
import '../operations.css';

const LIST = /* GraphQL */ `
  query Rollouts($tenantId: ID!, $first: Int, $after: String, $status: RolloutStatus) {
    rollouts(tenantId: $tenantId, first: $first, after: $after, status: $status) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        rolloutId
        kind
        status
        reason
        config
        counts { ${COUNTS_FIELDS} }
        createdBy
        createdAt
      }
    }
  }
`;

interface Row {
  rolloutId: string;
  kind: 'FIRMWARE' | 'COMMAND';
  status: string;
  reason: string | null;
  config: Record<string, unknown>;
  counts: Counts;
  createdBy: string;
  createdAt: string;
}

const PAGE_SIZE = 20;
const POLL_MS = 5_000;

export function RolloutsPage({ tenantId }: { tenantId: string }) {
  const { me } = useSession();
  const [status, setStatus] = useState('');
  // The cursors of the pages before this one: `after` of page n is cursors[n - 1].
  const [cursors, setCursors] = useState<string[]>([]);
  const [{ data, error }, refetch] = useQuery<{
    rollouts: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: Row[];
    };
  }>({
    query: LIST,
    variables: {
      tenantId,
      first: PAGE_SIZE,
      after: cursors.at(-1) ?? null,
      status: status || null,
    },
  });
  useEffect(() => {
    const poll = setInterval(() => refetch({ requestPolicy: 'network-only' }), POLL_MS);
    return () => clearInterval(poll);
  }, [refetch]);
  const list = data?.rollouts;
  const from = cursors.length * PAGE_SIZE;
  return (
    <>
      <h1>Rollouts</h1>
      {may(me, 'Mutation', 'startRollout') && (
        <p>
          <Link className="button" to={tenantPath(tenantId, 'rollouts', 'new')}>
            New rollout
          </Link>
        </p>
      )}
      <form className="filters" aria-label="Filter rollouts" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status{' '}
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              setCursors([]);
            }}
          >
            <option value="">any</option>
            {ROLLOUT_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </form>
      {error && <p className="error">{error.message}</p>}
      <div className="table-box">
        <table aria-label="Rollouts">
          <thead>
            <tr>
              <th scope="col">Rollout</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">Firmware / command</th>
              <th scope="col">Devices</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            {list?.nodes.map((r) => (
              <tr key={r.rolloutId}>
                <th scope="row">
                  <Link to={tenantPath(tenantId, 'rollouts', r.rolloutId)}>{r.rolloutId}</Link>
                </th>
                <td>{r.kind === 'FIRMWARE' ? 'firmware' : 'bulk command'}</td>
                <td>
                  <span className={`status ${r.status.toLowerCase()}`}>{r.status}</span>
                  {r.reason && <div className="detail">{r.reason}</div>}
                </td>
                <td>{whatOf(r.config)}</td>
                <td className="progress-cell">
                  <CountsBar counts={r.counts} label={r.rolloutId} />
                  <span className="detail">{countsSentence(r.counts)}</span>
                </td>
                <td>
                  {timeOf(r.createdAt)}
                  <div className="detail">by {r.createdBy}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Rollout pages">
        <button
          type="button"
          disabled={!cursors.length}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Previous
        </button>
        <span aria-live="polite">
          {list?.totalCount
            ? `${from + 1}–${from + list.nodes.length} of ${list.totalCount}`
            : list
              ? 'No rollouts'
              : 'Loading…'}
        </span>
        <button
          type="button"
          disabled={!list?.pageInfo.hasNextPage}
          onClick={() => {
            const next = list?.pageInfo.endCursor;
            if (next) setCursors([...cursors, next]);
          }}
        >
          Next
        </button>
      </nav>
    </>
  );
}

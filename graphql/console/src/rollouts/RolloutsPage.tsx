// The tenant's rollouts and bulk commands, newest first, paged on the server, with a status
// filter; read again every few seconds while the page is open (progress moves).
import { useEffect } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { connectionPage, Pager, useCursors, type Connection } from '../Pager';
import { may } from '../session';
import { useSession } from '../session-context';
import { StatusFilter, useStatusFilter } from '../StatusFilter';
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
  const cursors = useCursors(PAGE_SIZE);
  const status = useStatusFilter(cursors);
  const [{ data, error }, refetch] = useQuery<{ rollouts: Connection<Row> }>({
    query: LIST,
    variables: {
      tenantId,
      first: PAGE_SIZE,
      after: cursors.after,
      status: status.value || null,
    },
  });
  useEffect(() => {
    const poll = setInterval(() => refetch({ requestPolicy: 'network-only' }), POLL_MS);
    return () => clearInterval(poll);
  }, [refetch]);
  const list = data?.rollouts;
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
      <StatusFilter of="rollouts" label="Status" statuses={ROLLOUT_STATUSES} status={status} />
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
      <Pager label="rollouts" page={connectionPage(list)} cursors={cursors} />
    </>
  );
}

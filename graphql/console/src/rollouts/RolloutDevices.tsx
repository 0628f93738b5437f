// A rollout's devices in rollout order, a page at a time (by position, on the server), with a
// status filter: where each device stands, its attempts and why it was skipped or failed.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { tenantPath } from '../tenant-path';
import { DEVICE_STATUSES, timeOf } from './rollout-view';

const DEVICES = /* GraphQL */ `
  query RolloutDevices(
    $tenantId: ID!
    $rolloutId: ID!
    $first: Int
    $after: Int
    $status: RolloutDeviceStatus
  ) {
    rollout(tenantId: $tenantId, rolloutId: $rolloutId) {
      rolloutId
      devices(first: $first, after: $after, status: $status) {
        deviceId
        position
        status
        attempts
        detail
        commandedAt
        finishedAt
      }
    }
  }
`;

interface DeviceRow {
  deviceId: string;
  position: number;
  status: string;
  attempts: number;
  detail: string | null;
  commandedAt: string | null;
  finishedAt: string | null;
}

const PAGE_SIZE = 50;

export function RolloutDevices(props: { tenantId: string; rolloutId: string; version: number }) {
  const { tenantId, rolloutId, version } = props;
  const [status, setStatus] = useState('');
  // The positions the pages before this one ended at: `after` of page n is afters[n - 1].
  const [afters, setAfters] = useState<number[]>([]);
  const [{ data, error }, refetch] = useQuery<{ rollout: { devices: DeviceRow[] } | null }>({
    query: DEVICES,
    variables: {
      tenantId,
      rolloutId,
      first: PAGE_SIZE + 1,
      after: afters.at(-1) ?? null,
      status: status || null,
    },
  });
  useEffect(() => {
    if (version > 0) refetch({ requestPolicy: 'network-only' });
  }, [version, refetch]);
  const all = data?.rollout?.devices ?? [];
  const rows = all.slice(0, PAGE_SIZE);
  return (
    <section aria-labelledby="devices-heading" className="devices">
      <h2 id="devices-heading">Devices</h2>
      <form className="filters" aria-label="Filter devices" onSubmit={(e) => e.preventDefault()}>
        <label>
          Device status{' '}
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              setAfters([]);
            }}
          >
            <option value="">any</option>
            {DEVICE_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </form>
      {error && <p className="error">{error.message}</p>}
      <div className="table-box">
        <table aria-label="Rollout devices">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Position</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Detail</th>
              <th scope="col">Commanded</th>
              <th scope="col">Finished</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.deviceId}>
                <th scope="row">
                  <Link to={tenantPath(tenantId, 'devices', d.deviceId)}>{d.deviceId}</Link>
                </th>
                <td>{d.position}</td>
                <td>
                  <span className={`status ${d.status.toLowerCase()}`}>{d.status}</span>
                </td>
                <td>{d.attempts}</td>
                <td>{d.detail ?? ''}</td>
                <td>{timeOf(d.commandedAt)}</td>
                <td>{timeOf(d.finishedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Device pages">
        <button
          type="button"
          disabled={!afters.length}
          onClick={() => setAfters(afters.slice(0, -1))}
        >
          Previous
        </button>
        <span aria-live="polite">{rows.length ? `${rows.length} shown` : 'No devices'}</span>
        <button
          type="button"
          disabled={all.length <= PAGE_SIZE}
          onClick={() => setAfters([...afters, rows.at(-1)!.position])}
        >
          Next
        </button>
      </nav>
    </section>
  );
}

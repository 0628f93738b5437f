// A rollout's devices in rollout order, a page at a time (by position, on the server), with a
// status filter: where each device stands, its attempts and why it was skipped or failed.
import { useEffect } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { Pager, positionPage, useCursors } from '../Pager';
import { StatusFilter, useStatusFilter } from '../StatusFilter';
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
  // The positions the pages before this one ended at.
  const afters = useCursors<number>(PAGE_SIZE);
  const status = useStatusFilter(afters);
  const [{ data, error }, refetch] = useQuery<{ rollout: { devices: DeviceRow[] } | null }>({
    query: DEVICES,
    variables: {
      tenantId,
      rolloutId,
      first: PAGE_SIZE + 1,
      after: afters.after,
      status: status.value || null,
    },
  });
  useEffect(() => {
    if (version > 0) refetch({ requestPolicy: 'network-only' });
  }, [version, refetch]);
  // A rollout that is not there has no devices (no page to wait for).
  const { rows, page } = positionPage(data && (data.rollout?.devices ?? []), PAGE_SIZE);
  return (
    <section aria-labelledby="devices-heading" className="devices">
      <h2 id="devices-heading">Devices</h2>
      <StatusFilter of="devices" label="Device status" statuses={DEVICE_STATUSES} status={status} />
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
      <Pager label="devices" page={page} cursors={afters} />
    </section>
  );
}

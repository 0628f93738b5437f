// The device's alarms, newest raised first, and its active ones by severity.
import { useEffect } from 'react';
import { useQuery } from 'urql';
import { when } from './format';
import { ScrollBox } from '../ScrollBox';

const ALARMS = /* GraphQL */ `
  query DeviceAlarms($tenantId: ID!, $deviceId: ID!, $first: Int) {
    device(tenantId: $tenantId, deviceId: $deviceId) {
      deviceId
      alarmCounts {
        critical
        major
        minor
        warning
        indeterminate
        total
      }
    }
    alarms(tenantId: $tenantId, filter: { deviceId: $deviceId }, first: $first) {
      totalCount
      nodes {
        alarmId
        alarmType
        severity
        status
        acknowledged
        muted
        raisedAt
        clearedAt
        clearedBy
      }
    }
  }
`;

interface Alarm {
  alarmId: string;
  alarmType: string;
  severity: string;
  status: string;
  acknowledged: boolean;
  muted: boolean;
  raisedAt: string;
  clearedAt: string | null;
  clearedBy: string | null;
}

type Counts = Record<
  'critical' | 'major' | 'minor' | 'warning' | 'indeterminate' | 'total',
  number
>;

const FIRST = 20;

export function AlarmsSection({
  tenantId,
  deviceId,
  changes,
}: {
  tenantId: string;
  deviceId: string;
  changes: number;
}) {
  const [{ data, error }, refetch] = useQuery<{
    device: { alarmCounts: Counts } | null;
    alarms: { totalCount: number; nodes: Alarm[] };
  }>({ query: ALARMS, variables: { tenantId, deviceId, first: FIRST } });
  useEffect(() => {
    if (changes > 0) refetch({ requestPolicy: 'network-only' });
  }, [changes, refetch]);
  const counts = data?.device?.alarmCounts;
  const alarms = data?.alarms;
  return (
    <section aria-labelledby="alarms-heading" className="card">
      <h2 id="alarms-heading">Alarms</h2>
      {error && <p className="error">{error.message}</p>}
      {counts && (
        <p>
          {counts.total === 0
            ? 'No active alarms.'
            : `Active: ${counts.total} (${(
                ['critical', 'major', 'minor', 'warning', 'indeterminate'] as const
              )
                .filter((s) => counts[s] > 0)
                .map((s) => `${counts[s]} ${s}`)
                .join(', ')}).`}
        </p>
      )}
      {alarms && alarms.totalCount > 0 && (
        <ScrollBox label="Scroll box: alarms">
          <table aria-label="Alarms">
            <thead>
              <tr>
                <th scope="col">Alarm</th>
                <th scope="col">Severity</th>
                <th scope="col">Status</th>
                <th scope="col">Raised</th>
                <th scope="col">Cleared</th>
              </tr>
            </thead>
            <tbody>
              {alarms.nodes.map((a) => (
                <tr key={a.alarmId}>
                  <th scope="row">{a.alarmType}</th>
                  <td>{a.severity}</td>
                  <td>
                    {a.status}
                    {a.acknowledged ? ', acknowledged' : ''}
                    {a.muted ? ', muted' : ''}
                  </td>
                  <td>{when(a.raisedAt)}</td>
                  <td>{a.clearedAt ? `${when(a.clearedAt)} (${a.clearedBy ?? '?'})` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {alarms && alarms.totalCount > FIRST && (
        <p className="hint">
          The newest {FIRST} of {alarms.totalCount} alarms.
        </p>
      )}
    </section>
  );
}

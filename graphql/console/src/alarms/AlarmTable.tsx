// The alarm list: one row per alarm, the device as its header, and the actions a role may take.
import { Link } from 'react-router';
import { may } from '../session';
import { useSession } from '../session-context';
import { tenantPath } from '../tenant-path';
import { AlarmActions } from './AlarmActions';

export const ALARM_FIELDS = `
  alarmId
  deviceId
  alarmType
  severity
  status
  acknowledged
  acknowledgedBy
  assignee
  muted
  raisedAt
  clearedAt
  clearedBy
`;

export interface AlarmRow {
  alarmId: string;
  deviceId: string;
  alarmType: string;
  severity: string;
  status: 'ACTIVE' | 'CLEARED';
  acknowledged: boolean;
  acknowledgedBy: string | null;
  assignee: string | null;
  muted: boolean;
  raisedAt: string;
  clearedAt: string | null;
  clearedBy: string | null;
}

const timeOf = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

export function AlarmTable({ tenantId, rows }: { tenantId: string; rows: AlarmRow[] }) {
  const { me } = useSession();
  const acts = ['acknowledgeAlarm', 'assignAlarm', 'clearAlarm'].some((f) =>
    may(me, 'Mutation', f),
  );
  return (
    <div className="table-box">
      <table aria-label="Alarms">
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Type</th>
            <th scope="col">Severity</th>
            <th scope="col">Status</th>
            <th scope="col">Acknowledged</th>
            <th scope="col">Assignee</th>
            <th scope="col">Raised</th>
            {acts && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.alarmId} data-alarm={a.alarmId}>
              <th scope="row">
                <Link to={tenantPath(tenantId, 'devices', a.deviceId)}>{a.deviceId}</Link>
              </th>
              <td>
                {a.alarmType}
                {a.muted && <span className="detail"> (muted: in maintenance)</span>}
              </td>
              <td>
                <span className={`severity-badge ${a.severity.toLowerCase()}`}>{a.severity}</span>
              </td>
              <td>
                {a.status}
                {a.clearedAt && (
                  <div className="detail">
                    {timeOf(a.clearedAt)} ({a.clearedBy})
                  </div>
                )}
              </td>
              <td>{a.acknowledged ? `by ${a.acknowledgedBy ?? '?'}` : 'no'}</td>
              <td>{a.assignee ?? '—'}</td>
              <td>{timeOf(a.raisedAt)}</td>
              {acts && (
                <td>
                  <AlarmActions tenantId={tenantId} alarm={a} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

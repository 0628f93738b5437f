// A station's charging sessions (the records written when each ended), newest first; shown
// only for a device that has any.
import { useEffect } from 'react';
import { useQuery } from 'urql';
import { when } from './format';
import { ScrollBox } from '../ScrollBox';

const SESSIONS = /* GraphQL */ `
  query DeviceChargingSessions($tenantId: ID!, $deviceId: ID!, $first: Int) {
    device(tenantId: $tenantId, deviceId: $deviceId) {
      deviceId
      sessionRecords(first: $first) {
        totalCount
        totalEnergyKWh
        nodes {
          id
          transactionId
          connectorId
          evseId
          idTag
          startedAt
          stoppedAt
          energyKWh
          stopReason
          flags
        }
      }
    }
  }
`;

interface SessionRecord {
  id: string;
  transactionId: string;
  connectorId: number | null;
  evseId: number | null;
  idTag: string | null;
  startedAt: string | null;
  stoppedAt: string;
  energyKWh: number | null;
  stopReason: string | null;
  flags: string[];
}

const FIRST = 20;

export function ChargingSessions({
  tenantId,
  deviceId,
  changes,
}: {
  tenantId: string;
  deviceId: string;
  changes: number;
}) {
  const [{ data }, refetch] = useQuery<{
    device: {
      sessionRecords: { totalCount: number; totalEnergyKWh: number; nodes: SessionRecord[] };
    } | null;
  }>({ query: SESSIONS, variables: { tenantId, deviceId, first: FIRST } });
  useEffect(() => {
    if (changes > 0) refetch({ requestPolicy: 'network-only' });
  }, [changes, refetch]);
  const records = data?.device?.sessionRecords;
  if (!records || records.totalCount === 0) return null;
  return (
    <section aria-labelledby="sessions-heading" className="card">
      <h2 id="sessions-heading">Charging sessions</h2>
      <p className="hint">
        {records.totalCount} sessions, {records.totalEnergyKWh.toFixed(3)} kWh counted
        {records.totalCount > FIRST ? `; the newest ${FIRST} below` : ''}.
      </p>
      <ScrollBox label="Scroll box: charging sessions">
        <table aria-label="Charging sessions">
          <thead>
            <tr>
              <th scope="col">Transaction</th>
              <th scope="col">Connector</th>
              <th scope="col">Started</th>
              <th scope="col">Stopped</th>
              <th scope="col">Energy</th>
              <th scope="col">Stop reason</th>
              <th scope="col">Flags</th>
            </tr>
          </thead>
          <tbody>
            {records.nodes.map((r) => (
              <tr key={r.id}>
                <th scope="row">{r.transactionId}</th>
                <td>{r.evseId ?? r.connectorId ?? '—'}</td>
                <td>{when(r.startedAt)}</td>
                <td>{when(r.stoppedAt)}</td>
                <td>{r.energyKWh === null ? '—' : `${r.energyKWh} kWh`}</td>
                <td>{r.stopReason ?? '—'}</td>
                <td>{r.flags.join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
    </section>
  );
}

// Connectivity: online or offline now (and why not online, as the API explains it), uptime over
// the last week, refused logins, and the device's connections newest first.
import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { bytes, when } from './format';
import type { DeviceDetail } from './live-device';
import { ScrollBox } from '../ScrollBox';

const HISTORY = /* GraphQL */ `
  query DeviceConnections($tenantId: ID!, $deviceId: ID!, $first: Int, $weekAgo: DateTime!) {
    device(tenantId: $tenantId, deviceId: $deviceId) {
      deviceId
      uptime(from: $weekAgo) {
        percentage
      }
      loginRefusals {
        count
        lastAt
        lastCode
      }
      connectivityHistory(first: $first) {
        totalCount
        nodes {
          sessionId
          gatewayNode
          protocol
          connectedAt
          disconnectedAt
          disconnectReason
          messagesIn
          messagesOut
          bytesIn
          bytesOut
        }
      }
    }
  }
`;

interface Session {
  sessionId: string;
  gatewayNode: string;
  protocol: string | null;
  connectedAt: string;
  disconnectedAt: string | null;
  disconnectReason: string | null;
  messagesIn: number | null;
  messagesOut: number | null;
  bytesIn: number | null;
  bytesOut: number | null;
}

interface History {
  device: {
    uptime: { percentage: number | null };
    loginRefusals: { count: number; lastAt: string; lastCode: string } | null;
    connectivityHistory: { totalCount: number; nodes: Session[] };
  } | null;
}

const SESSIONS_SHOWN = 20;
const WEEK_MS = 7 * 86_400_000;

const words = (value: string | null) => (value ? value.toLowerCase().replace(/_/g, ' ') : '—');

export function ConnectivitySection({
  tenantId,
  device,
  changes,
}: {
  tenantId: string;
  device: DeviceDetail;
  changes: number;
}) {
  // Fixed when the page opens: a moving bound would be a new query at every render.
  const [weekAgo] = useState(() => new Date(Date.now() - WEEK_MS).toISOString());
  const [{ data, error }, refetch] = useQuery<History>({
    query: HISTORY,
    variables: { tenantId, deviceId: device.deviceId, first: SESSIONS_SHOWN, weekAgo },
  });
  useEffect(() => {
    if (changes > 0) refetch({ requestPolicy: 'network-only' });
  }, [changes, refetch]);
  const { connectivity } = device;
  // The answer comes with the page's query; a live change may have brought the device back.
  const whyOffline = connectivity.status === 'ONLINE' ? null : device.whyOffline;
  const history = data?.device;
  const uptime = history?.uptime.percentage;
  return (
    <section aria-labelledby="connectivity-heading" className="card">
      <h2 id="connectivity-heading">Connectivity</h2>
      <dl className="facts">
        <div>
          <dt>Now</dt>
          <dd aria-label="Connectivity status">
            <span className={`state conn-${connectivity.status.toLowerCase()}`}>
              {connectivity.status}
            </span>
          </dd>
        </div>
        <div>
          <dt>Since</dt>
          <dd>{when(connectivity.since)}</dd>
        </div>
        {connectivity.offlineAfter && (
          <div>
            <dt>Offline after</dt>
            <dd>{when(connectivity.offlineAfter)} unless it reconnects</dd>
          </div>
        )}
        <div>
          <dt>Uptime, last 7 days</dt>
          <dd>{uptime === null || uptime === undefined ? '—' : `${uptime.toFixed(1)} %`}</dd>
        </div>
        {history?.loginRefusals && (
          <div>
            <dt>Refused logins</dt>
            <dd>
              {history.loginRefusals.count}, last {when(history.loginRefusals.lastAt)} (
              {history.loginRefusals.lastCode})
            </dd>
          </div>
        )}
      </dl>
      {whyOffline && (
        <div className="why-offline" role="note" aria-label="Why offline">
          <strong>Why offline: {words(whyOffline.reason)}</strong>
          {whyOffline.since && <> since {when(whyOffline.since)}</>} — {whyOffline.detail}
        </div>
      )}
      {error && <p className="error">{error.message}</p>}
      <ScrollBox label="Scroll box: connections">
        <table aria-label="Connections">
          <thead>
            <tr>
              <th scope="col">Connected</th>
              <th scope="col">Disconnected</th>
              <th scope="col">Gateway</th>
              <th scope="col">Protocol</th>
              <th scope="col">Ended by</th>
              <th scope="col">Messages in / out</th>
              <th scope="col">Bytes in / out</th>
            </tr>
          </thead>
          <tbody>
            {(history?.connectivityHistory.nodes ?? []).map((s) => (
              <tr key={s.sessionId}>
                <th scope="row">{when(s.connectedAt)}</th>
                <td>{s.disconnectedAt ? when(s.disconnectedAt) : 'open'}</td>
                <td>{s.gatewayNode}</td>
                <td>{s.protocol ?? '—'}</td>
                <td>{words(s.disconnectReason)}</td>
                <td>
                  {s.messagesIn ?? '—'} / {s.messagesOut ?? '—'}
                </td>
                <td>
                  {bytes(s.bytesIn)} / {bytes(s.bytesOut)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {history && (
        <p className="hint">
          {history.connectivityHistory.totalCount === 0
            ? 'Never connected.'
            : `${Math.min(SESSIONS_SHOWN, history.connectivityHistory.totalCount)} newest of ${history.connectivityHistory.totalCount} connections.`}
        </p>
      )}
    </section>
  );
}

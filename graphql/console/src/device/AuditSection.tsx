// The audit entries about the device (API mutations and its twin's changes), newest first: for
// the roles that may read the audit trail.
import { useEffect } from 'react';
import { useQuery } from 'urql';
import { when } from './format';
import { ScrollBox } from '../ScrollBox';

const AUDIT = /* GraphQL */ `
  query DeviceAudit($tenantId: ID!, $deviceId: ID!, $first: Int) {
    device(tenantId: $tenantId, deviceId: $deviceId) {
      deviceId
      auditEntries(first: $first) {
        pageInfo {
          hasNextPage
        }
        nodes {
          id
          at
          actor
          role
          operation
          outcome
          reason
        }
      }
    }
  }
`;

interface Entry {
  id: string;
  at: string;
  actor: string;
  role: string;
  operation: string;
  outcome: string;
  reason: string | null;
}

const FIRST = 20;

export function AuditSection({
  tenantId,
  deviceId,
  changes,
}: {
  tenantId: string;
  deviceId: string;
  changes: number;
}) {
  const [{ data, error }, refetch] = useQuery<{
    device: { auditEntries: { pageInfo: { hasNextPage: boolean }; nodes: Entry[] } } | null;
  }>({ query: AUDIT, variables: { tenantId, deviceId, first: FIRST } });
  useEffect(() => {
    if (changes > 0) refetch({ requestPolicy: 'network-only' });
  }, [changes, refetch]);
  const audit = data?.device?.auditEntries;
  return (
    <section aria-labelledby="audit-heading" className="card">
      <h2 id="audit-heading">Audit</h2>
      {error && <p className="error">{error.message}</p>}
      <ScrollBox label="Scroll box: audit entries">
        <table aria-label="Audit entries">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Operation</th>
              <th scope="col">Who</th>
              <th scope="col">Outcome</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {(audit?.nodes ?? []).map((e) => (
              <tr key={e.id}>
                <th scope="row">{when(e.at)}</th>
                <td>{e.operation}</td>
                <td>
                  {e.actor} ({e.role})
                </td>
                <td>{e.outcome}</td>
                <td>{e.reason ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {audit?.pageInfo.hasNextPage && (
        <p className="hint">The newest {FIRST}; the tenant's audit trail holds the rest.</p>
      )}
    </section>
  );
}

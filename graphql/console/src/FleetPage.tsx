// Fleet overview: the fleet summary's counts, kept live, and the device table.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { DeviceTable } from './DeviceTable';
import { RegisterDevice } from './RegisterDevice';
import { may } from './session';
import { useSession } from './session-context';

const SUMMARY = /* GraphQL */ `
  query FleetSummary($tenantId: ID!) {
    fleetSummary(tenantId: $tenantId) {
      total
      byLifecycle {
        lifecycle
        count
      }
      byConnectivity {
        status
        count
      }
      byModel {
        value
        count
      }
      byFirmware {
        value
        count
      }
    }
  }
`;

/** The changes that move the counts; reported values (model, firmware) are caught by the poll. */
const CHANGES = /* GraphQL */ `
  subscription FleetChanges($tenantId: ID!) {
    deviceChanged(
      tenantId: $tenantId
      kinds: ["registered", "lifecycle-changed", "connected", "connection-lost", "disconnected"]
    ) {
      cursor
    }
  }
`;

const LIFECYCLES = ['PROVISIONED', 'ACTIVE', 'INACTIVE', 'MAINTENANCE', 'REPLACED', 'RETIRED'];
const CONNECTIVITY = ['ONLINE', 'OFFLINE', 'UNKNOWN'];
/** At most one refresh this often, however many devices change. */
const REFRESH_MS = 2_000;
/** And one this often regardless (firmware and model arrive as reported values). */
const POLL_MS = 30_000;

interface Count {
  count: number;
}
interface Summary {
  total: number;
  byLifecycle: (Count & { lifecycle: string })[];
  byConnectivity: (Count & { status: string })[];
  byModel: (Count & { value: string | null })[];
  byFirmware: (Count & { value: string | null })[];
}

/** A number that changes when the tenant's devices do: live changes (throttled) and a slow poll. */
function useFleetVersion(tenantId: string): { version: number; live: boolean; bump(): void } {
  const [version, setVersion] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [{ data, error }] = useSubscription({ query: CHANGES, variables: { tenantId } });
  useEffect(() => {
    if (!data || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      setVersion((v) => v + 1);
    }, REFRESH_MS);
  }, [data]);
  useEffect(() => {
    const poll = setInterval(() => setVersion((v) => v + 1), POLL_MS);
    return () => {
      clearInterval(poll);
      if (pending.current) clearTimeout(pending.current);
    };
  }, []);
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  return { version, live: !error, bump };
}

export function FleetPage({ tenantId }: { tenantId: string }) {
  const { me } = useSession();
  const { version, live, bump } = useFleetVersion(tenantId);
  const [{ data, error }, refetch] = useQuery<{ fleetSummary: Summary }>({
    query: SUMMARY,
    variables: { tenantId },
  });
  useEffect(() => {
    if (version > 0) refetch({ requestPolicy: 'network-only' });
  }, [version, refetch]);
  const summary = data?.fleetSummary;
  return (
    <>
      <h1>
        Fleet of {tenantId}{' '}
        <span className={live ? 'live' : 'stale'}>{live ? 'live' : 'not live'}</span>
      </h1>
      {error && <p className="error">{error.message}</p>}
      {may(me, 'Mutation', 'registerDevice') && (
        <RegisterDevice tenantId={tenantId} onRegistered={bump} />
      )}
      {summary && (
        <section aria-label="Fleet summary" className="summary">
          <Tile title="Devices" rows={[['total', summary.total]]} />
          <Tile
            title="Lifecycle"
            rows={LIFECYCLES.map((state) => [
              state,
              summary.byLifecycle.find((c) => c.lifecycle === state)?.count ?? 0,
            ])}
          />
          <Tile
            title="Connectivity"
            rows={CONNECTIVITY.map((status) => [
              status,
              summary.byConnectivity.find((c) => c.status === status)?.count ?? 0,
            ])}
          />
          <Tile title="Model" rows={summary.byModel.slice(0, 8).map(valueRow)} />
          <Tile title="Firmware" rows={summary.byFirmware.slice(0, 8).map(valueRow)} />
        </section>
      )}
      <DeviceTable tenantId={tenantId} version={version} />
    </>
  );
}

const valueRow = (c: { value: string | null; count: number }): [string, number] => [
  c.value ?? '(not reported)',
  c.count,
];

function Tile({ title, rows }: { title: string; rows: [string, number][] }) {
  const id = `tile-${title.toLowerCase()}`;
  return (
    <figure className="tile" aria-labelledby={id}>
      <figcaption id={id}>{title}</figcaption>
      <dl>
        {rows.map(([name, count]) => (
          <div key={name} data-count={name}>
            <dt>{name}</dt>
            <dd>{count}</dd>
          </div>
        ))}
      </dl>
    </figure>
  );
}

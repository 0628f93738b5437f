// The tenant's alarms, live: active ones counted by severity, the list newest first with its
// filters (paged on the server), and acknowledge / assign / clear for the roles that may.
import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { connectionPage, Pager, useCursors, type Connection } from '../Pager';
import { useLiveVersion } from '../use-live-version';
import { AlarmTable, ALARM_FIELDS, type AlarmRow } from './AlarmTable';
import '../operations.css';

export const SEVERITIES = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE'] as const;

const COUNTS = /* GraphQL */ `
  query AlarmCounts($tenantId: ID!) {
    ${SEVERITIES.map(
      (s) =>
        `${s.toLowerCase()}: alarms(tenantId: $tenantId, filter: { status: ACTIVE, severity: [${s}] }, first: 1) { totalCount }`,
    ).join('\n')}
  }
`;

const LIST = /* GraphQL */ `
  query Alarms($tenantId: ID!, $filter: AlarmFilter, $first: Int, $after: String) {
    alarms(tenantId: $tenantId, filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ${ALARM_FIELDS}
      }
    }
  }
`;

/** Any alarm event of the tenant (raised, acknowledged, assigned, cleared…) moves the page. */
const EVENTS = /* GraphQL */ `
  subscription AlarmEvents($tenantId: ID!) {
    alarmEvents(tenantId: $tenantId) {
      cursor
    }
  }
`;

interface Filter {
  status?: 'ACTIVE' | 'CLEARED';
  severity?: string[];
  acknowledged?: boolean;
  deviceId?: string;
}

const PAGE_SIZE = 25;
const REFRESH_MS = 1_000;
const POLL_MS = 30_000;

export function AlarmsPage({ tenantId }: { tenantId: string }) {
  const [filter, setFilter] = useState<Filter>({ status: 'ACTIVE' });
  const cursors = useCursors(PAGE_SIZE);
  const { version, live } = useLiveVersion(EVENTS, { tenantId }, REFRESH_MS);
  const [counts, refetchCounts] = useQuery<Record<string, { totalCount: number }>>({
    query: COUNTS,
    variables: { tenantId },
  });
  const [list, refetchList] = useQuery<{ alarms: Connection<AlarmRow> }>({
    query: LIST,
    variables: { tenantId, filter, first: PAGE_SIZE, after: cursors.after },
  });
  useEffect(() => {
    if (version === 0) return;
    refetchCounts({ requestPolicy: 'network-only' });
    refetchList({ requestPolicy: 'network-only' });
  }, [version, refetchCounts, refetchList]);
  // Should the subscription have missed something (reconnecting), a slow poll catches it.
  useEffect(() => {
    const poll = setInterval(() => {
      refetchCounts({ requestPolicy: 'network-only' });
      refetchList({ requestPolicy: 'network-only' });
    }, POLL_MS);
    return () => clearInterval(poll);
  }, [refetchCounts, refetchList]);
  const change = (next: Filter) => {
    setFilter(next);
    cursors.reset();
  };
  const page = list.data?.alarms;
  const active = counts.data
    ? SEVERITIES.reduce((n, s) => n + (counts.data?.[s.toLowerCase()]?.totalCount ?? 0), 0)
    : null;
  return (
    <>
      <h1>
        Alarms <span className={live ? 'live' : 'stale'}>{live ? 'live' : 'not live'}</span>
      </h1>
      <figure className="severity-counts" aria-labelledby="severity-caption">
        <figcaption id="severity-caption">
          Active alarms by severity{active !== null ? `: ${active}` : ''}
        </figcaption>
        <dl>
          {SEVERITIES.map((s) => (
            <div key={s} className={`severity ${s.toLowerCase()}`} data-count={s}>
              <dt>{s}</dt>
              <dd>{counts.data?.[s.toLowerCase()]?.totalCount ?? '…'}</dd>
            </div>
          ))}
        </dl>
      </figure>
      <Filters filter={filter} onChange={change} />
      {(list.error ?? counts.error) && (
        <p className="error">{(list.error ?? counts.error)!.message}</p>
      )}
      <AlarmTable tenantId={tenantId} rows={page?.nodes ?? []} />
      <Pager label="alarms" page={connectionPage(page)} cursors={cursors} />
    </>
  );
}

function Filters({ filter, onChange }: { filter: Filter; onChange(next: Filter): void }) {
  const set = <K extends keyof Filter>(key: K, value: Filter[K] | undefined) => {
    const next = { ...filter };
    if (value === undefined) delete next[key];
    else next[key] = value;
    onChange(next);
  };
  const [device, setDevice] = useState(filter.deviceId ?? '');
  return (
    <form
      className="filters"
      aria-label="Filter alarms"
      onSubmit={(e) => {
        e.preventDefault();
        set('deviceId', device.trim() || undefined);
      }}
    >
      <label>
        Status{' '}
        <select
          value={filter.status ?? ''}
          onChange={(e) => set('status', (e.target.value || undefined) as Filter['status'])}
        >
          <option value="ACTIVE">active</option>
          <option value="CLEARED">cleared</option>
          <option value="">any</option>
        </select>
      </label>
      <label>
        Severity{' '}
        <select
          value={filter.severity?.[0] ?? ''}
          onChange={(e) => set('severity', e.target.value ? [e.target.value] : undefined)}
        >
          <option value="">any</option>
          {SEVERITIES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Acknowledged{' '}
        <select
          value={filter.acknowledged === undefined ? '' : String(filter.acknowledged)}
          onChange={(e) =>
            set('acknowledged', e.target.value ? e.target.value === 'true' : undefined)
          }
        >
          <option value="">any</option>
          <option value="false">not yet</option>
          <option value="true">acknowledged</option>
        </select>
      </label>
      <label>
        Device <input value={device} onChange={(e) => setDevice(e.target.value)} size={12} />
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}

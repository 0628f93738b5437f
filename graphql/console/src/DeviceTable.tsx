// The device table: the API's device list with its filters, paged on the server (cursor by
// cursor, never the whole fleet), and a search by device id.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { LifecycleAction } from './LifecycleAction';
import { may } from './session';
import { useSession } from './session-context';

const DEVICE_FIELDS = /* GraphQL */ `
  fragment DeviceRow on Device {
    deviceId
    model
    firmware
    tags
    version
    lifecycle {
      state
    }
    connectivity {
      status
      since
    }
  }
`;

const PAGE = /* GraphQL */ `
  query DevicePage($tenantId: ID!, $filter: DeviceFilter, $first: Int, $after: String) {
    devices(tenantId: $tenantId, filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...DeviceRow
      }
    }
  }
  ${DEVICE_FIELDS}
`;

const ONE = /* GraphQL */ `
  query OneDevice($tenantId: ID!, $deviceId: ID!) {
    device(tenantId: $tenantId, deviceId: $deviceId) {
      ...DeviceRow
    }
  }
  ${DEVICE_FIELDS}
`;

export interface DeviceRow {
  deviceId: string;
  model: string | null;
  firmware: string | null;
  tags: string[];
  version: number;
  lifecycle: { state: string };
  connectivity: { status: string; since: string | null };
}

const PAGE_SIZE = 25;
const LIFECYCLES = ['PROVISIONED', 'ACTIVE', 'INACTIVE', 'MAINTENANCE', 'REPLACED', 'RETIRED'];
const TEXT_FILTERS = [
  ['model', 'Model'],
  ['firmware', 'Firmware'],
  ['siteId', 'Site'],
  ['customerId', 'Customer'],
  ['assetId', 'Asset'],
  ['tag', 'Tag'],
] as const;

type Filter = Partial<Record<(typeof TEXT_FILTERS)[number][0], string>> & {
  lifecycle?: string[];
  online?: boolean;
};

export function DeviceTable({ tenantId, version }: { tenantId: string; version: number }) {
  const [filter, setFilter] = useState<Filter>({});
  const [search, setSearch] = useState('');
  // The cursors of the pages before this one: `after` of page n is cursors[n - 1].
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.at(-1) ?? null;
  const [page, refetchPage] = useQuery<{
    devices: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: DeviceRow[];
    };
  }>({
    query: PAGE,
    variables: { tenantId, filter, first: PAGE_SIZE, after },
    pause: search !== '',
  });
  const [one, refetchOne] = useQuery<{ device: DeviceRow | null }>({
    query: ONE,
    variables: { tenantId, deviceId: search },
    pause: search === '',
  });
  useEffect(() => {
    if (version === 0) return;
    if (search) refetchOne({ requestPolicy: 'network-only' });
    else refetchPage({ requestPolicy: 'network-only' });
    // Only a new version refetches; the query itself follows search and filter.
  }, [version]);

  const changeFilter = (next: Filter) => {
    setFilter(next);
    setCursors([]);
  };
  const rows = search
    ? one.data?.device
      ? [one.data.device]
      : []
    : (page.data?.devices.nodes ?? []);
  const error = (search ? one.error : page.error)?.message;
  const total = page.data?.devices.totalCount ?? 0;
  const first = cursors.length * PAGE_SIZE;

  return (
    <section aria-label="Devices" className="devices">
      <h2>Devices</h2>
      <SearchBox onSearch={setSearch} />
      {!search && <Filters filter={filter} onChange={changeFilter} />}
      {error && <p className="error">{error}</p>}
      <Table tenantId={tenantId} rows={rows} />
      {search ? (
        <p aria-live="polite">
          {one.fetching ? 'Looking…' : rows.length ? '1 device' : `No device ${search}`}
        </p>
      ) : (
        <nav className="pager" aria-label="Pages">
          <button
            type="button"
            disabled={!cursors.length}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            Previous
          </button>
          <span aria-live="polite">
            {total ? `${first + 1}–${first + rows.length} of ${total}` : 'No devices'}
          </span>
          <button
            type="button"
            disabled={!page.data?.devices.pageInfo.hasNextPage}
            onClick={() => {
              const next = page.data?.devices.pageInfo.endCursor;
              if (next) setCursors([...cursors, next]);
            }}
          >
            Next
          </button>
        </nav>
      )}
    </section>
  );
}

function SearchBox({ onSearch }: { onSearch(id: string): void }) {
  const [value, setValue] = useState('');
  return (
    <form
      role="search"
      className="search"
      onSubmit={(event) => {
        event.preventDefault();
        onSearch(value.trim());
      }}
    >
      <label>
        Device id <input value={value} onChange={(e) => setValue(e.target.value)} />
      </label>
      <button type="submit">Find</button>
      <button
        type="button"
        onClick={() => {
          setValue('');
          onSearch('');
        }}
      >
        Clear
      </button>
    </form>
  );
}

function Filters({ filter, onChange }: { filter: Filter; onChange(next: Filter): void }) {
  const set = (key: keyof Filter, value: Filter[keyof Filter] | undefined) => {
    const next = { ...filter };
    if (value === undefined || value === '') delete next[key];
    else Object.assign(next, { [key]: value });
    onChange(next);
  };
  return (
    <fieldset className="filters">
      <legend>Filters</legend>
      <label>
        Lifecycle{' '}
        <select
          value={filter.lifecycle?.[0] ?? ''}
          onChange={(e) => set('lifecycle', e.target.value ? [e.target.value] : undefined)}
        >
          <option value="">any</option>
          {LIFECYCLES.map((state) => (
            <option key={state}>{state}</option>
          ))}
        </select>
      </label>
      <label>
        Online{' '}
        <select
          value={filter.online === undefined ? '' : String(filter.online)}
          onChange={(e) => set('online', e.target.value ? e.target.value === 'true' : undefined)}
        >
          <option value="">any</option>
          <option value="true">online</option>
          <option value="false">offline</option>
        </select>
      </label>
      {TEXT_FILTERS.map(([key, label]) => (
        <label key={key}>
          {label}{' '}
          <input
            size={10}
            defaultValue={filter[key] ?? ''}
            onBlur={(e) => set(key, e.target.value.trim())}
            onKeyDown={(e) => {
              if (e.key === 'Enter') set(key, e.currentTarget.value.trim());
            }}
          />
        </label>
      ))}
    </fieldset>
  );
}

function Table({ tenantId, rows }: { tenantId: string; rows: DeviceRow[] }) {
  const { me } = useSession();
  const operate = may(me, 'Mutation', 'transitionDevice');
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Device</th>
          <th scope="col">Lifecycle</th>
          <th scope="col">Connectivity</th>
          <th scope="col">Model</th>
          <th scope="col">Firmware</th>
          <th scope="col">Tags</th>
          {operate && <th scope="col">Actions</th>}
        </tr>
      </thead>
      <tbody>
        {rows.map((d) => (
          <tr key={d.deviceId}>
            <th scope="row">
              <Link
                to={`/tenants/${encodeURIComponent(tenantId)}/devices/${encodeURIComponent(d.deviceId)}`}
              >
                {d.deviceId}
              </Link>
            </th>
            <td>{d.lifecycle.state}</td>
            <td>{d.connectivity.status}</td>
            <td>{d.model ?? '—'}</td>
            <td>{d.firmware ?? '—'}</td>
            <td>{d.tags.join(', ')}</td>
            {operate && (
              <td>
                <LifecycleAction tenantId={tenantId} device={d} />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// The device table: the API's device list with its filters, paged on the server (cursor by
// cursor, never the whole fleet), a search by id, id prefix or serial, and a CSV export.
import { useEffect, useId, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { ExportCsv } from './ExportCsv';
import { connectionPage, Pager, useCursors, type Connection } from './Pager';
import { LifecycleAction } from './LifecycleAction';
import { may } from './session';
import { useSession } from './session-context';
import { ScrollBox } from './ScrollBox';

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

/** A search: by id or id prefix (an id is its own prefix), or by the serial a device was provisioned under. */
interface Search {
  text: string;
  by: 'idPrefix' | 'serial';
}

/** What the table lists and the export writes: the filters and the search, on the server. */
const withSearch = (filter: Filter, search: Search) =>
  search.text ? { ...filter, [search.by]: search.text } : filter;

const NOTHING = { shown: 0, next: null };

export function DeviceTable({ tenantId, version }: { tenantId: string; version: number }) {
  const [filter, setFilter] = useState<Filter>({});
  const [search, setSearch] = useState<Search>({ text: '', by: 'idPrefix' });
  const cursors = useCursors(PAGE_SIZE);
  const listed = withSearch(filter, search);
  const [page, refetchPage] = useQuery<{ devices: Connection<DeviceRow> }>({
    query: PAGE,
    variables: { tenantId, filter: listed, first: PAGE_SIZE, after: cursors.after },
  });
  useEffect(() => {
    if (version > 0) refetchPage({ requestPolicy: 'network-only' });
    // Only a new version refetches; the query itself follows search and filter.
  }, [version]);

  const changeFilter = (next: Filter) => {
    setFilter(next);
    cursors.reset();
  };
  const changeSearch = (next: Search) => {
    setSearch(next);
    cursors.reset();
  };
  const rows = page.data?.devices.nodes ?? [];
  const error = page.error?.graphQLErrors[0]?.message ?? page.error?.message;
  // A refused search has no page, and nothing is coming: it is empty.
  const shown = connectionPage(page.data?.devices) ?? (page.fetching ? undefined : NOTHING);
  const none = !search.text
    ? 'No devices'
    : search.by === 'serial'
      ? `No device provisioned under serial ${search.text}`
      : `No device ${search.text}, nor any whose id starts with it`;

  return (
    <section aria-label="Devices" className="devices">
      <h2>Devices</h2>
      <SearchBox onSearch={changeSearch} />
      <Filters filter={filter} onChange={changeFilter} />
      <ExportCsv tenantId={tenantId} filter={listed} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <ScrollBox label="Scroll box: devices" className="table-scroll">
        <Table tenantId={tenantId} rows={rows} />
      </ScrollBox>
      <Pager label="devices" page={shown} cursors={cursors} empty={none} />
    </section>
  );
}

function SearchBox({ onSearch }: { onSearch(search: Search): void }) {
  const [value, setValue] = useState('');
  const [by, setBy] = useState<Search['by']>('idPrefix');
  // Labels beside their controls, not around them: a label around a select would be named by
  // its options too ("Search by id or id prefix serial").
  const id = useId();
  return (
    <form
      role="search"
      className="search"
      onSubmit={(event) => {
        event.preventDefault();
        onSearch({ text: value.trim(), by });
      }}
    >
      <label htmlFor={`${id}-by`}>Search by</label>
      <select id={`${id}-by`} value={by} onChange={(e) => setBy(e.target.value as Search['by'])}>
        <option value="idPrefix">id or id prefix</option>
        <option value="serial">serial</option>
      </select>
      <label htmlFor={`${id}-text`}>{by === 'serial' ? 'Serial' : 'Device id or prefix'}</label>
      <input id={`${id}-text`} value={value} onChange={(e) => setValue(e.target.value)} />
      <button type="submit">Find</button>
      <button
        type="button"
        onClick={() => {
          setValue('');
          onSearch({ text: '', by });
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

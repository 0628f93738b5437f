// CSV export of the device table's current filter: every matching device, not just the page
// shown, fetched page by page from the API (cursor by cursor, never the whole fleet in one
// answer) with a progress bar and a cancel, then saved as a file.
import { useEffect, useRef, useState } from 'react';
import { useClient, type OperationResult } from 'urql';
import type { ExportedDevice } from './device-csv';

const EXPORT = /* GraphQL */ `
  query DeviceExport($tenantId: ID!, $filter: DeviceFilter, $first: Int, $after: String) {
    devices(tenantId: $tenantId, filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        deviceId
        serial
        model
        firmware
        tags
        lifecycle {
          state
        }
        connectivity {
          status
          since
        }
        site {
          siteId
        }
        customer {
          customerId
        }
        asset {
          assetId
        }
      }
    }
  }
`;

/** Devices per request: 400 requests for 100,000 devices, each answered in one page of SQL. */
export const EXPORT_PAGE_SIZE = 250;

type Page = {
  devices: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: ExportedDevice[];
  };
};

type State =
  | { kind: 'idle' }
  | { kind: 'running'; done: number; total: number | null }
  | { kind: 'saved'; count: number; file: string }
  | { kind: 'cancelled' }
  | { kind: 'failed'; message: string };

export function ExportCsv({ tenantId, filter }: { tenantId: string; filter: object }) {
  const client = useClient();
  const [state, setState] = useState<State>({ kind: 'idle' });
  const cancelled = useRef(false);
  // Leaving the page ends an export under way.
  useEffect(
    () => () => {
      cancelled.current = true;
    },
    [],
  );

  async function run() {
    cancelled.current = false;
    const exportedAt = new Date().toISOString();
    const devices: ExportedDevice[] = [];
    let after: string | null = null;
    let total: number | null = null;
    setState({ kind: 'running', done: 0, total });
    for (;;) {
      const result: OperationResult<Page> = await client
        .query<Page>(
          EXPORT,
          { tenantId, filter, first: EXPORT_PAGE_SIZE, after },
          { requestPolicy: 'network-only' },
        )
        .toPromise();
      if (cancelled.current) return;
      if (result.error || !result.data) {
        const message = result.error?.graphQLErrors[0]?.message ?? result.error?.message;
        return setState({ kind: 'failed', message: message ?? 'no answer' });
      }
      const page: Page['devices'] = result.data.devices;
      total ??= page.totalCount;
      devices.push(...page.nodes);
      setState({ kind: 'running', done: devices.length, total });
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
      after = page.pageInfo.endCursor;
    }
    // The CSV writer is a chunk of its own, loaded by the first export, not with every page.
    const { devicesCsv, saveFile } = await import('./device-csv');
    if (cancelled.current) return;
    const file = `devices-${tenantId}-${exportedAt.slice(0, 10)}.csv`;
    saveFile(file, devicesCsv(devices, exportedAt));
    setState({ kind: 'saved', count: devices.length, file });
  }

  const running = state.kind === 'running';
  return (
    <div className="export" role="group" aria-label="CSV export">
      <button type="button" disabled={running} onClick={() => void run()}>
        Export CSV
      </button>
      {running && (
        <>
          <progress
            aria-label="Export progress"
            max={state.total ?? undefined}
            value={state.total === null ? undefined : state.done}
          />
          <button
            type="button"
            onClick={() => {
              cancelled.current = true;
              setState({ kind: 'cancelled' });
            }}
          >
            Cancel export
          </button>
        </>
      )}
      <span aria-live="polite">
        {state.kind === 'running' &&
          `Exported ${state.done}${state.total === null ? '' : ` of ${state.total}`} devices…`}
        {state.kind === 'saved' && `Saved ${state.count} devices as ${state.file}`}
        {state.kind === 'cancelled' && 'Export cancelled: nothing saved'}
      </span>
      {state.kind === 'failed' && (
        <p role="alert" className="error">
          Export failed: {state.message}
        </p>
      )}
    </div>
  );
}

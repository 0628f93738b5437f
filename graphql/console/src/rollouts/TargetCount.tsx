// How many of the tenant's devices the target matches, as the operator types (the API's own
// device filter, counted on the server): those in maintenance or not active are skipped.
import { useEffect, useState } from 'react';
import { useQuery } from 'urql';

const COUNT = /* GraphQL */ `
  query TargetCount(
    $tenantId: ID!
    $all: DeviceFilter
    $active: DeviceFilter
    $maintenance: DeviceFilter
  ) {
    all: devices(tenantId: $tenantId, filter: $all, first: 1) {
      totalCount
    }
    active: devices(tenantId: $tenantId, filter: $active, first: 1) {
      totalCount
    }
    maintenance: devices(tenantId: $tenantId, filter: $maintenance, first: 1) {
      totalCount
    }
  }
`;

type Counted = { totalCount: number };

/** The value once it has stopped changing for `ms` (no query per keystroke). */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  const key = JSON.stringify(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
    // The value's content, not its identity, decides.
  }, [key, ms]);
  return settled;
}

export function TargetCount({
  tenantId,
  filter,
}: {
  tenantId: string;
  filter: Record<string, unknown>;
}) {
  const settled = useSettled(filter, 300);
  const [{ data, error, fetching }] = useQuery<{
    all: Counted;
    active: Counted;
    maintenance: Counted;
  }>({
    query: COUNT,
    variables: {
      tenantId,
      all: settled,
      active: { ...settled, lifecycle: ['ACTIVE'] },
      maintenance: { ...settled, lifecycle: ['MAINTENANCE'] },
    },
    requestPolicy: 'network-only',
  });
  let text = fetching && !data ? 'Counting…' : '';
  if (data) {
    const { all, active, maintenance } = data;
    const other = all.totalCount - active.totalCount - maintenance.totalCount;
    text =
      `${all.totalCount} device${all.totalCount === 1 ? '' : 's'} match: ` +
      `${active.totalCount} active` +
      (maintenance.totalCount ? `, ${maintenance.totalCount} in maintenance (skipped)` : '') +
      (other > 0 ? `, ${other} not active (skipped)` : '');
  }
  return (
    <output className="target-count" aria-live="polite" aria-label="Matching devices">
      {error ? <span className="error">{error.message}</span> : text}
    </output>
  );
}

// Device counts for every row of a list in one request: fleetSummary per customer or site,
// aliased (s0, s1, …), so a page of 25 sites costs one round trip, not 25.
import { useMemo } from 'react';
import { useQuery } from 'urql';
import { SUMMARY_FIELDS, type ScopeCounts } from './queries';

export type Scope = { customerId?: string; siteId?: string };

function summariesQuery(by: 'customerId' | 'siteId', count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$s${i}: ID!`).join(', ');
  const fields = Array.from(
    { length: count },
    (_, i) => `s${i}: fleetSummary(tenantId: $tenantId, ${by}: $s${i}) { ...ScopeCounts }`,
  ).join('\n');
  return `query GraphSummaries($tenantId: ID!, ${vars}) {\n${fields}\n}\n${SUMMARY_FIELDS}`;
}

/** The counts of each id's devices, by id; empty until they arrive. */
export function useSummaries(
  tenantId: string,
  by: 'customerId' | 'siteId',
  ids: readonly string[],
): Map<string, ScopeCounts> {
  const query = useMemo(() => summariesQuery(by, Math.max(ids.length, 1)), [by, ids.length]);
  const variables = useMemo(
    () => Object.fromEntries([['tenantId', tenantId], ...ids.map((id, i) => [`s${i}`, id])]),
    [tenantId, ids.join('\n')],
  );
  const [{ data }] = useQuery<Record<string, ScopeCounts>>({
    query,
    variables,
    pause: ids.length === 0,
  });
  return useMemo(() => {
    const counts = new Map<string, ScopeCounts>();
    ids.forEach((id, i) => {
      const c = data?.[`s${i}`];
      if (c) counts.set(id, c);
    });
    return counts;
  }, [data, ids.join('\n')]);
}

/** The counts of one scope: the tenant, a customer or a site. */
export function useScopeCounts(tenantId: string, scope: Scope) {
  const [{ data, error }] = useQuery<{ fleetSummary: ScopeCounts }>({
    query: `query GraphScope($tenantId: ID!, $customerId: ID, $siteId: ID) {
      fleetSummary(tenantId: $tenantId, customerId: $customerId, siteId: $siteId) { ...ScopeCounts }
    }\n${SUMMARY_FIELDS}`,
    variables: { tenantId, customerId: scope.customerId ?? null, siteId: scope.siteId ?? null },
  });
  return { counts: data?.fleetSummary, error };
}

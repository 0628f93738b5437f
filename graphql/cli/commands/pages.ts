import type { ApiClient } from '../api-client';
import { progress } from '../progress';

interface Page<N> {
  nodes: N[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount?: number;
}

/**
 * Reads every page of a connection (`first`/`after`), up to `limit` nodes, with a progress
 * bar when the listing is long. `pick` finds the connection in the answer.
 */
export async function readAllPages<N>(
  api: ApiClient,
  query: string,
  variables: Record<string, unknown>,
  pick: (data: any) => Page<N>,
  options: { limit?: number; label: string; pageSize?: number },
): Promise<N[]> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const nodes: N[] = [];
  let after: string | null = null;
  const bar = progress(options.label);
  try {
    for (;;) {
      const first = Math.min(options.pageSize ?? 200, limit - nodes.length);
      const page: Page<N> = pick(await api.request(query, { ...variables, first, after }));
      nodes.push(...page.nodes);
      const total = Math.min(page.totalCount ?? nodes.length, limit);
      if (total > (options.pageSize ?? 200)) bar.update(nodes.length, total, '');
      if (!page.pageInfo.hasNextPage || nodes.length >= limit) return nodes;
      after = page.pageInfo.endCursor;
    }
  } finally {
    bar.stop();
  }
}

import type { PageRequest } from '../../../db/graph-pages';
import { apiError } from '../../errors';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** An opaque cursor: base64url of the row's id (listings are ordered by id). */
export function encodeCursor(id: string): string {
  return Buffer.from(`id:${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith('id:') || encodeCursor(decoded.slice(3)) !== cursor)
    throw apiError('api:input.invalid-cursor', `${cursor} is not a cursor of this listing`);
  return decoded.slice(3);
}

/** `first`/`after` as a page of a listing, checked. */
export function pageRequest(args: PageArgs): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw apiError(
      'api:input.invalid-page-size',
      `first must be between 1 and ${MAX_PAGE_SIZE}, got ${first}`,
    );
  }
  return { first, after: args.after ? decodeCursor(args.after) : null };
}

/**
 * A Relay connection from a listing's rows (up to `first + 1`: one more tells that there is
 * a next page). `totalCount` is a thunk, so its query runs only when a client asks for it.
 */
export function connection<R, N>(
  rows: readonly R[],
  page: PageRequest,
  idOf: (row: R) => string,
  toNode: (row: R) => N,
  totalCount: () => Promise<number>,
) {
  const shown = rows.slice(0, page.first);
  const edges = shown.map((row) => ({ cursor: encodeCursor(idOf(row)), node: toNode(row) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: rows.length > page.first,
      hasPreviousPage: page.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

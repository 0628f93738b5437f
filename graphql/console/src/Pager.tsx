// Server-side pages of a list: Previous and Next, and where this page is. A page begins after
// a cursor (a connection's string cursor, or a row's position) that the pages before it ended at.
import { useState } from 'react';

/** A page of a connection, as the API gives it. */
export interface Connection<N> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: N[];
}

/** What the pager shows of a page. */
export interface PageView<C> {
  /** Rows on this page. */
  shown: number;
  /** Rows in all, where the API counts them. */
  total?: number;
  /** Where the next page begins; null on the last page. */
  next: C | null;
}

/** A connection's page as the pager shows it. */
export const connectionPage = (
  page: Connection<unknown> | undefined,
): PageView<string> | undefined =>
  page && {
    shown: page.nodes.length,
    total: page.totalCount,
    next: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
  };

/**
 * Rows read by position, one more than a page (`first: size + 1`: the one more says a next
 * page exists): the page's rows, and the page as the pager shows it.
 */
export function positionPage<R extends { position: number }>(
  fetched: readonly R[] | undefined,
  size: number,
): { rows: R[]; page: PageView<number> | undefined } {
  if (!fetched) return { rows: [], page: undefined };
  const rows = fetched.slice(0, size);
  return {
    rows,
    page: { shown: rows.length, next: fetched.length > size ? rows.at(-1)!.position : null },
  };
}

/** The cursors of the pages before this one: `after` of page n is cursors[n - 1]. */
export function useCursors<C = string>(pageSize: number) {
  const [cursors, setCursors] = useState<C[]>([]);
  return {
    after: cursors.at(-1) ?? null,
    offset: cursors.length * pageSize,
    next: (cursor: C) => setCursors([...cursors, cursor]),
    previous: () => setCursors(cursors.slice(0, -1)),
    /** Back to the first page (the filter changed). */
    reset: () => setCursors([]),
  };
}

export type Cursors<C> = ReturnType<typeof useCursors<C>>;

export function Pager<C>({
  label,
  page,
  cursors,
  empty = `No ${label}`,
}: {
  /** What the list holds, plural: "Pages of alarms", "No alarms". */
  label: string;
  page: PageView<C> | undefined;
  cursors: Cursors<C>;
  /** What an empty page says (default "No <label>"). */
  empty?: string;
}) {
  const next = page?.next ?? null;
  const range = page && `${cursors.offset + 1}–${cursors.offset + page.shown}`;
  return (
    <nav className="pager" aria-label={`Pages of ${label}`}>
      <button type="button" disabled={cursors.offset === 0} onClick={cursors.previous}>
        Previous
      </button>
      <span aria-live="polite">
        {!page
          ? 'Loading…'
          : page.shown === 0
            ? empty
            : page.total !== undefined
              ? `${range} of ${page.total}`
              : range}
      </span>
      <button
        type="button"
        disabled={next === null}
        onClick={() => next !== null && cursors.next(next)}
      >
        Next
      </button>
    </nav>
  );
}

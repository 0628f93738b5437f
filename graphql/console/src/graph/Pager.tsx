// Server-side pages of a list, cursor by cursor: Previous and Next, and where this page is.
import { useState } from 'react';
import type { Connection } from './queries';

export const GRAPH_PAGE_SIZE = 25;

/** The cursors of the pages before this one: `after` of page n is cursors[n - 1]. */
export function useCursors() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    after: cursors.at(-1) ?? null,
    offset: cursors.length * GRAPH_PAGE_SIZE,
    next: (cursor: string) => setCursors([...cursors, cursor]),
    previous: () => setCursors(cursors.slice(0, -1)),
  };
}

export function Pager({
  label,
  page,
  cursors,
}: {
  label: string;
  page: Connection<unknown> | undefined;
  cursors: ReturnType<typeof useCursors>;
}) {
  const shown = page?.nodes.length ?? 0;
  const total = page?.totalCount ?? 0;
  return (
    <nav className="pager" aria-label={`Pages of ${label}`}>
      <button type="button" disabled={cursors.offset === 0} onClick={cursors.previous}>
        Previous
      </button>
      <span aria-live="polite">
        {!page
          ? 'Loading…'
          : total
            ? `${cursors.offset + 1}–${cursors.offset + shown} of ${total}`
            : `No ${label}`}
      </span>
      <button
        type="button"
        disabled={!page?.pageInfo.hasNextPage}
        onClick={() => page?.pageInfo.endCursor && cursors.next(page.pageInfo.endCursor)}
      >
        Next
      </button>
    </nav>
  );
}

import type { GraphQLError } from 'graphql';
import { matchesOutboxFilter, type OutboxFilter } from '../../../db/outbox-filter';
import { outboxBounds, readFilteredOutbox, type OutboxEntry } from '../../../db/outbox-reader';
import { apiError } from '../../errors';
import type { OutboxFollower } from '../../outbox-hub';
import type { ApiContext } from '../resolvers';

const PAGE = 500;
/** A subscriber this many events behind the live feed is cut off; it resumes from its cursor. */
const MAX_LAG = 10_000;

/** What a change stream yields: an outbox entry, or the error that ends the stream. */
export type StreamItem = OutboxEntry | { readonly failure: GraphQLError };

/** Delivers a stream item to the GraphQL resolver: the view of an entry, or its error. */
export function unlessFailed<T>(item: StreamItem, view: (entry: OutboxEntry) => T): T {
  if ('failure' in item) throw item.failure;
  return view(item);
}

function parseCursor(after: string): number {
  const cursor = /^\d{1,15}$/.test(after) ? Number(after) : NaN;
  if (!Number.isSafeInteger(cursor))
    throw apiError('api:subscription.cursor-invalid', `after must be a cursor of an event`, {
      after,
    });
  return cursor;
}

const expired = (cursor: number, prunedThrough: number) =>
  apiError(
    'api:subscription.cursor-expired',
    `cursor ${cursor} is older than the outbox retention window (events through ${prunedThrough} were pruned); read the current state with a query and subscribe again without after`,
    { after: String(cursor), prunedThrough: String(prunedThrough) },
  );

/**
 * The outbox rows a filter selects, as a subscription: with `after`, first the rows after that
 * cursor from PostgreSQL, then the live feed of this process. The live feed is followed
 * *before* the replay starts and buffers meanwhile; every row the feed had passed by then is
 * committed, so the replay sees it (ids commit in order, see db/outbox-writer). At the seam,
 * live entries up to the last one delivered are dropped: no gap, no duplicate.
 * A bad or expired cursor is refused here, before any event.
 */
export async function openOutboxStream(
  ctx: ApiContext,
  filter: OutboxFilter,
  after: string | null | undefined,
): Promise<AsyncIterableIterator<StreamItem>> {
  let from: number | null = null;
  if (after !== null && after !== undefined) {
    from = parseCursor(after);
    const bounds = await outboxBounds(ctx.database);
    if (bounds.prunedThrough > from) throw expired(from, bounds.prunedThrough);
    if (from > bounds.newest)
      throw apiError('api:subscription.cursor-invalid', `no event has cursor ${from} yet`, {
        after,
      });
  }
  const controller = new AbortController();
  const inner = changes(ctx, filter, from, ctx.outbox.follow(controller.signal));
  // An async generator waiting for the next live entry would only see a `return()` once some
  // entry arrived; aborting the follow ends that wait at once when the subscriber leaves.
  const iterator: AsyncIterableIterator<StreamItem> = {
    next: () => inner.next(),
    return: (value?: unknown) => {
      controller.abort();
      return inner.return(value as undefined);
    },
    throw: (error?: unknown) => {
      controller.abort();
      return inner.throw(error);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

async function* changes(
  ctx: ApiContext,
  filter: OutboxFilter,
  from: number | null,
  live: OutboxFollower,
): AsyncGenerator<StreamItem, void, undefined> {
  let last = from ?? 0;
  if (from !== null) {
    for (;;) {
      const page = await readFilteredOutbox(ctx.database, filter, last, PAGE);
      // A prune that ran while this page was read may have taken rows after `last`.
      const { prunedThrough } = await outboxBounds(ctx.database);
      if (prunedThrough > last) {
        yield { failure: expired(last, prunedThrough) };
        return;
      }
      for (const entry of page) {
        last = entry.id;
        yield entry;
      }
      if (page.length < PAGE) break;
    }
  }
  for (;;) {
    const entry = await live.next();
    if (!entry) return;
    if (live.lag() > MAX_LAG) {
      yield {
        failure: apiError(
          'api:subscription.too-slow',
          `the subscriber fell more than ${MAX_LAG} events behind; subscribe again with after: "${last}"`,
          { after: String(last) },
        ),
      };
      return;
    }
    if (entry.id <= last || !matchesOutboxFilter(entry, filter)) continue;
    last = entry.id;
    yield entry;
  }
}

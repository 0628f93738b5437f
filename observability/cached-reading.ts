/**
 * A figure read from the database for a gauge: at most one query per `everyMs` whatever the
 * scrape rate, and a failed query shows the last figures instead of failing the scrape.
 */
export function cachedReading<T>(read: () => Promise<T>, initial: T, everyMs = 5_000) {
  let known = initial;
  let last: Promise<T> | null = null;
  return () =>
    (last ??= read()
      .then((figures) => (known = figures))
      .catch(() => known)
      .finally(() => setTimeout(() => (last = null), everyMs).unref()));
}

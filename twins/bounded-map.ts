/**
 * `fn` over every item with at most `limit` running at once, results in item order: work of
 * many rows (hashing, workflow starts) that must neither run one by one nor all at once.
 *
 * @example await boundedMap([1, 2, 3], 2, async (n) => n * 2) // [2, 4, 6]
 */
export async function boundedMap<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}

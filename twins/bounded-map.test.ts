import { describe, expect, it } from 'vitest';
import { boundedMap } from './bounded-map';

describe('boundedMap', () => {
  it.each([1, 3, 10])('keeps item order with at most %i running at once', async (limit) => {
    let running = 0;
    let most = 0;
    const items = Array.from({ length: 7 }, (_, i) => i);
    const results = await boundedMap(items, limit, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, (7 - n) * 2));
      running--;
      return n * 10;
    });
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(most).toBe(Math.min(limit, items.length));
  });

  it('answers an empty list at once', async () => {
    expect(await boundedMap([], 4, async () => 1)).toEqual([]);
  });
});

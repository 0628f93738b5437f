import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './rate-limit';

describe('token buckets', () => {
  it('allows a burst, then refuses with the wait until a token is back', () => {
    const buckets = new TokenBuckets({ perSecond: 2, burst: 3 });
    expect([0, 0, 0].map(() => buckets.take('a', 1_000))).toEqual([0, 0, 0]);
    expect(buckets.take('a', 1_000)).toBe(1);
    // Half a second brings one token back (2 a second), no more.
    expect(buckets.take('a', 1_500)).toBe(0);
    expect(buckets.take('a', 1_500)).toBe(1);
  });

  it('keeps one bucket per caller and never refills past the burst', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 });
    expect(buckets.take('a', 0)).toBe(0);
    expect(buckets.take('a', 0)).toBe(1);
    expect(buckets.take('b', 0)).toBe(0);
    expect(buckets.take('a', 60_000)).toBe(0);
    expect(buckets.take('a', 60_000)).toBe(1);
  });

  it('says how long to wait when the rate is slow', () => {
    const buckets = new TokenBuckets({ perSecond: 0.1, burst: 1 });
    buckets.take('a', 0);
    expect(buckets.take('a', 0)).toBe(10);
    expect(buckets.take('a', 5_000)).toBe(5);
  });
});

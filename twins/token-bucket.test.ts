import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('starts with one second of tokens and refuses once they are spent', () => {
    let t = 0;
    const bucket = new TokenBucket(3, () => t);
    expect([1, 2, 3, 4].map(() => bucket.tryTake())).toEqual([true, true, true, false]);
    t = 400; // 1.2 tokens accrued
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    expect(bucket.msUntilNext()).toBe(267); // 0.8 of a token at 3/s
  });

  it('saves up at most one second of tokens', () => {
    let t = 0;
    const bucket = new TokenBucket(10, () => t);
    bucket.take(10);
    t = 60_000;
    expect(bucket.available()).toBe(10);
  });

  it('lets a caller take what it found available, fractions kept', () => {
    let t = 0;
    const bucket = new TokenBucket(100, () => t);
    expect(Math.floor(bucket.available())).toBe(100);
    bucket.take(100);
    t = 15;
    expect(bucket.available()).toBeCloseTo(1.5);
    expect(bucket.msUntilNext()).toBe(0);
    bucket.take(1);
    expect(bucket.msUntilNext()).toBe(5);
  });

  it('refuses a rate that admits nothing', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
  });
});

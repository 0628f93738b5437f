import { apiError } from './errors';

/** How many requests one caller may make: `perSecond` on average, `burst` at once. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 20, burst: 200 };

/** Buckets kept before full ones are dropped (a full bucket is the same as none). */
const PRUNE_AT = 10_000;

/**
 * A token bucket per caller, in memory (each API process limits on its own): a request takes
 * a token; tokens come back at `perSecond`, up to `burst`. Time is an input, for tests.
 *
 * @example
 * const buckets = new TokenBuckets({ perSecond: 1, burst: 2 });
 * buckets.take('key:k1', 0); // 0 (allowed)
 * buckets.take('key:k1', 0); // 0
 * buckets.take('key:k1', 0); // 1 (refused: retry after 1 s)
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly limit: RateLimit) {}

  /** 0 when the request may go ahead, else the seconds to wait before the next one may. */
  take(caller: string, now = Date.now()): number {
    if (this.buckets.size >= PRUNE_AT) this.prune(now);
    const bucket = this.buckets.get(caller) ?? { tokens: this.limit.burst, at: now };
    bucket.tokens = this.refilled(bucket, now);
    bucket.at = now;
    this.buckets.set(caller, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond));
  }

  private refilled(bucket: { tokens: number; at: number }, now: number) {
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    return Math.min(this.limit.burst, bucket.tokens + elapsed * this.limit.perSecond);
  }

  private prune(now: number) {
    for (const [caller, bucket] of this.buckets)
      if (this.refilled(bucket, now) >= this.limit.burst) this.buckets.delete(caller);
  }
}

/** The refusal of a caller over its limit: HTTP 429 with Retry-After (graphql-ws: the operation's error). */
export const rateLimited = (limit: RateLimit, retryAfterS: number) =>
  apiError(
    'api:rate-limited',
    `more than ${limit.burst} requests at once or ${limit.perSecond} a second; retry in ${retryAfterS} s`,
    {
      retryAfter: retryAfterS,
      http: { status: 429, headers: { 'retry-after': String(retryAfterS) } },
    },
  );

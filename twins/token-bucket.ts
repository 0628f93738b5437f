/**
 * A token bucket: `ratePerSecond` tokens a second, at most one second's worth saved up (a
 * burst). Pure apart from the clock, which is injected. Used wherever a steady rate is
 * admitted: a gateway's new connections (gateway/admission.ts) and a worker's signals to
 * twins (workflows/worker/notice-drainer.ts).
 *
 * @example const bucket = new TokenBucket(200); if (bucket.tryTake()) connect();
 */
export class TokenBucket {
  private tokens: number;
  private refilled: number;

  constructor(
    readonly ratePerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`rate must be > 0, got ${ratePerSecond}`);
    this.tokens = ratePerSecond;
    this.refilled = now();
  }

  /** Tokens available now (fractional: part of the next one may have accrued). */
  available(): number {
    const t = this.now();
    this.tokens = Math.min(
      this.ratePerSecond,
      this.tokens + (Math.max(0, t - this.refilled) / 1000) * this.ratePerSecond,
    );
    this.refilled = t;
    return this.tokens;
  }

  /** Takes `n` tokens that `available()` said were there. */
  take(n: number): void {
    this.tokens -= n;
  }

  /** One token if there is one; false means "try again later". */
  tryTake(): boolean {
    if (this.available() < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a whole token is available (0 when one is). */
  msUntilNext(): number {
    const missing = 1 - this.available();
    return missing <= 0 ? 0 : Math.ceil((missing / this.ratePerSecond) * 1000);
  }
}

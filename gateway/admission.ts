import { TokenBucket } from '../twins/token-bucket';

/**
 * Admission control: a token bucket over all new connections of this gateway (a reconnect
 * storm is let in at a steady rate instead of all at once), and per-device flap detection
 * (a device that reconnects too often is refused for a cool-down).
 */
export class Admission {
  private readonly bucket: TokenBucket;
  private readonly recent = new Map<string, number[]>();
  private readonly coolingUntil = new Map<string, number>();

  constructor(
    private readonly opts: {
      /** New connections per second, sustained; bursts up to one second's worth. */
      ratePerSecond: number;
      /** Connections of one device within `flapWindowMs` that count as flapping. */
      flapLimit: number;
      flapWindowMs: number;
      coolDownMs: number;
    },
    private readonly now: () => number = Date.now,
  ) {
    this.bucket = new TokenBucket(opts.ratePerSecond, now);
  }

  /** One token per connection attempt; false means "try again later". */
  admit(): boolean {
    return this.bucket.tryTake();
  }

  /** Records a connection of a device; false when it flaps (and it is then cooled down). */
  connected(device: string): boolean {
    const t = this.now();
    if ((this.coolingUntil.get(device) ?? 0) > t) return false;
    const times = (this.recent.get(device) ?? []).filter((x) => t - x < this.opts.flapWindowMs);
    times.push(t);
    this.recent.set(device, times);
    if (times.length > this.opts.flapLimit) {
      this.coolingUntil.set(device, t + this.opts.coolDownMs);
      this.recent.delete(device);
      return false;
    }
    if (this.recent.size > 100_000) this.prune(t);
    return true;
  }

  /** Keeps memory bounded under a storm of distinct devices. */
  private prune(t: number): void {
    for (const [device, times] of this.recent)
      if (t - times[times.length - 1]! >= this.opts.flapWindowMs) this.recent.delete(device);
    for (const [device, until] of this.coolingUntil)
      if (until <= t) this.coolingUntil.delete(device);
  }
}

/**
 * Failed logins, counted per device and per source address, for every protocol. Past a limit
 * within the window the key is locked, for a time that doubles with each further lock (up to a
 * ceiling): a password guesser gets a handful of tries a minute, and a source that probes many
 * identities is held back as a whole — before any database query or scrypt is spent on it.
 * A success clears the device's count (not the source's: many stations may share a NAT).
 */
export class AuthFailures {
  private readonly entries = new Map<
    string,
    { failures: number[]; lockedUntil: number; locks: number }
  >();

  constructor(
    private readonly opts: {
      /** Failures of one device within the window before it is locked. */
      perDevice: number;
      /** Failures from one source address within the window before it is locked. */
      perSource: number;
      windowMs: number;
      /** The first lock; each further one doubles, up to `maxLockMs`. */
      lockMs: number;
      maxLockMs: number;
    },
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until any of these may try again; 0 when none is locked. */
  retryAfterMs(device: string | null, source: string | null): number {
    const t = this.now();
    let wait = 0;
    for (const key of keysOf(device, source)) {
      const until = this.entries.get(key)?.lockedUntil ?? 0;
      wait = Math.max(wait, until - t);
    }
    return Math.max(0, wait);
  }

  failed(device: string | null, source: string | null): void {
    const t = this.now();
    if (device !== null) this.count(`d:${device}`, this.opts.perDevice, t);
    if (source !== null) this.count(`s:${source}`, this.opts.perSource, t);
    if (this.entries.size > 100_000) this.prune(t);
  }

  succeeded(device: string): void {
    const entry = this.entries.get(`d:${device}`);
    if (entry && entry.lockedUntil <= this.now()) this.entries.delete(`d:${device}`);
  }

  private count(key: string, limit: number, t: number): void {
    const entry = this.entries.get(key) ?? { failures: [], lockedUntil: 0, locks: 0 };
    entry.failures = entry.failures.filter((x) => t - x < this.opts.windowMs);
    entry.failures.push(t);
    if (entry.failures.length > limit) {
      entry.lockedUntil = t + Math.min(this.opts.maxLockMs, this.opts.lockMs * 2 ** entry.locks);
      entry.locks++;
      entry.failures = [];
    }
    this.entries.set(key, entry);
  }

  /** Keeps memory bounded when many distinct keys fail. */
  private prune(t: number): void {
    for (const [key, entry] of this.entries) {
      const last = entry.failures.at(-1) ?? 0;
      if (entry.lockedUntil <= t && t - last >= this.opts.windowMs) this.entries.delete(key);
    }
  }
}

function keysOf(device: string | null, source: string | null): string[] {
  return [...(device !== null ? [`d:${device}`] : []), ...(source !== null ? [`s:${source}`] : [])];
}

/**
 * Paces new connections: a token bucket shared by every device of a process, so the ramp-up
 * and reconnect storms stay under the gateway's admission rate (GATEWAY_ADMISSION_RATE).
 */
export class ConnectLimiter {
  private readonly waiting: Array<() => void> = [];
  private tokens = 1;
  private last = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly perSecond: number) {}

  /** Resolves when this caller may open a connection. */
  take(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.drain();
    });
  }

  /** Callers still waiting for their turn. */
  get queued(): number {
    return this.waiting.length;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private drain(): void {
    const now = Date.now();
    this.tokens = Math.min(
      Math.max(1, this.perSecond / 10),
      this.tokens + ((now - this.last) / 1000) * this.perSecond,
    );
    this.last = now;
    while (this.tokens >= 1 && this.waiting.length > 0) {
      this.tokens -= 1;
      this.waiting.shift()!();
    }
    if (this.waiting.length > 0 && !this.timer) {
      const waitMs = Math.max(5, ((1 - this.tokens) / this.perSecond) * 1000);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, waitMs);
    }
  }
}

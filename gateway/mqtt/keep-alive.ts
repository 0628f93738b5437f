/**
 * MQTT keep-alive (spec 3.1.2.10): a client that sends no packet within one and a half times
 * its keep-alive is gone. One timer per connection, re-armed for the remaining time instead
 * of being reset on every packet, so a busy connection costs nothing here.
 */
export class KeepAlive {
  private lastPacketAt = Date.now();
  private timer: NodeJS.Timeout | null = null;

  /** Every packet from the client counts as a sign of life. */
  heard(): void {
    this.lastPacketAt = Date.now();
  }

  /** Watches from now on; `expired` runs once when the limit passes. 0 s switches it off. */
  start(keepAliveS: number, expired: (limitMs: number) => void): void {
    const limitMs = keepAliveS * 1500;
    if (limitMs === 0) return;
    const check = () => {
      const silentMs = Date.now() - this.lastPacketAt;
      if (silentMs >= limitMs) return expired(limitMs);
      this.timer = setTimeout(check, limitMs - silentMs);
    };
    this.timer = setTimeout(check, limitMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

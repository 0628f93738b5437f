import type { TelemetryRow } from '../db/telemetry-store';

type Insert = (rows: readonly TelemetryRow[]) => Promise<void>;

interface Waiting {
  rows: readonly TelemetryRow[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers telemetry from every connection of this gateway into batches: one multi-row INSERT
 * per batch (at most `maxRows` rows, or what arrived within `maxDelayMs`), one batch in flight
 * at a time. Each caller's promise resolves after the COMMIT that holds its rows: the moment
 * its device may be acknowledged.
 */
export class TelemetryWriter {
  private waiting: Waiting[] = [];
  private waitingRows = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly insert: Insert,
    private readonly maxRows = 2_000,
    private readonly maxDelayMs = 5,
  ) {}

  write(rows: readonly TelemetryRow[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ rows, resolve, reject });
      this.waitingRows += rows.length;
      if (this.waitingRows >= this.maxRows) this.flushSoon(0);
      else this.flushSoon(this.maxDelayMs);
    });
  }

  /** Resolves when everything written so far is committed (shutdown). */
  async drained(): Promise<void> {
    while (this.waiting.length > 0 || this.inFlight) {
      if (this.inFlight) await this.inFlight;
      else await this.flush();
    }
  }

  private flushSoon(delayMs: number): void {
    if (this.inFlight) return; // the running flush takes the next batch when it ends
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), delayMs);
  }

  private async flush(): Promise<void> {
    this.timer = null;
    if (this.inFlight || this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    this.waitingRows = 0;
    this.inFlight = this.insert(batch.flatMap((w) => w.rows)).then(
      () => batch.forEach((w) => w.resolve()),
      (error: unknown) => batch.forEach((w) => w.reject(error)),
    );
    await this.inFlight;
    this.inFlight = null;
    if (this.waiting.length > 0) this.flushSoon(0);
  }
}

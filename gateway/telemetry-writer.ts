import type { TelemetryRow } from '../db/telemetry-store';

type Insert<Row> = (rows: readonly Row[]) => Promise<void>;

interface Waiting<Row> {
  rows: readonly Row[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers telemetry from every connection of this gateway into batches: one INSERT per batch
 * (at most `maxRows` rows, or what arrived within `maxDelayMs`), at most `maxInFlight` batches
 * in flight (samples are independent rows, so batches may commit in any order). Each caller's
 * promise resolves after the COMMIT that holds its rows: the moment its device may be
 * acknowledged. Device log lines use it too (gateway/device-log-sink.ts).
 */
export class TelemetryWriter<Row = TelemetryRow> {
  private waiting: Waiting<Row>[] = [];
  private waitingRows = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly insert: Insert<Row>,
    private readonly maxRows = 2_000,
    private readonly maxDelayMs = 5,
    private readonly maxInFlight = 4,
  ) {}

  write(rows: readonly Row[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ rows, resolve, reject });
      this.waitingRows += rows.length;
      if (this.waitingRows >= this.maxRows) this.flushSoon(0);
      else this.flushSoon(this.maxDelayMs);
    });
  }

  /** Resolves when everything written so far is committed (shutdown). */
  async drained(): Promise<void> {
    while (this.waiting.length > 0 || this.inFlight.size > 0) {
      if (this.inFlight.size > 0) await Promise.all(this.inFlight);
      else await this.flush();
    }
  }

  private flushSoon(delayMs: number): void {
    // With every slot busy, the next batch goes when one ends.
    if (this.inFlight.size >= this.maxInFlight) return;
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), delayMs);
  }

  private async flush(): Promise<void> {
    this.timer = null;
    if (this.inFlight.size >= this.maxInFlight || this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    this.waitingRows = 0;
    const running: Promise<void> = this.insert(batch.flatMap((w) => w.rows)).then(
      () => batch.forEach((w) => w.resolve()),
      (error: unknown) => batch.forEach((w) => w.reject(error)),
    );
    this.inFlight.add(running);
    await running;
    this.inFlight.delete(running);
    if (this.waiting.length > 0) this.flushSoon(0);
  }
}

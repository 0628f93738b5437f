import type { IngestItem, IngestOutcome } from '../db/device-ingest';
import { traceparentOf, tracing } from '../observability/tracing';

type Commit = (items: readonly IngestItem[]) => Promise<IngestOutcome[]>;

interface Waiting {
  readonly item: IngestItem;
  readonly device: string;
  resolve(outcome: IngestOutcome): void;
  reject(error: unknown): void;
}

const deviceOf = (item: IngestItem) => `${item.key.tenantId}\u0000${item.key.deviceId}`;

/**
 * Gathers the connects, reports and disconnects of every connection of this gateway into
 * batches, each committed in one transaction (db/device-ingest.ts): at most `maxItems` per
 * batch or what arrived within `maxDelayMs`, at most `maxInFlight` batches at once. A device
 * is in one batch in flight at a time, so its messages commit in the order they came. Each
 * caller's promise settles after the COMMIT that holds its message — the moment the device
 * may be acknowledged. A batch that fails is tried once more, then fails to its callers.
 */
export class IngestWriter {
  private waiting: Waiting[] = [];
  private readonly busy = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly commit: Commit,
    private readonly maxItems = 1_000,
    private readonly maxDelayMs = 2,
    private readonly maxInFlight = 4,
  ) {}

  submit(item: IngestItem): Promise<IngestOutcome> {
    // Tracing on: the message's span (the active context) rides on what the message commits.
    const traceparent = tracing() ? traceparentOf() : undefined;
    if (traceparent) item = { ...item, traceparent };
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, device: deviceOf(item), resolve, reject });
      this.flushSoon(this.waiting.length >= this.maxItems ? 0 : this.maxDelayMs);
    });
  }

  /** Messages waiting or being committed (a gauge for the metrics). */
  get backlog(): number {
    return this.waiting.length;
  }

  /** Resolves when everything submitted so far is committed or failed (shutdown). */
  async drained(): Promise<void> {
    while (this.waiting.length > 0 || this.inFlight.size > 0) {
      if (this.inFlight.size > 0) await Promise.race(this.inFlight);
      else this.flush();
    }
  }

  private flushSoon(delayMs: number): void {
    if (this.inFlight.size >= this.maxInFlight) return;
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), delayMs);
  }

  private flush(): void {
    this.timer = null;
    if (this.inFlight.size >= this.maxInFlight || this.waiting.length === 0) return;
    // Take messages in arrival order, skipping devices already in a batch in flight (and
    // everything after a skipped message of the same device, so each device keeps its order).
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    const held = new Set<string>();
    for (const w of this.waiting) {
      if (batch.length < this.maxItems && !this.busy.has(w.device) && !held.has(w.device))
        batch.push(w);
      else {
        held.add(w.device);
        rest.push(w);
      }
    }
    this.waiting = rest;
    if (batch.length === 0) return;
    const devices = new Set(batch.map((w) => w.device));
    for (const d of devices) this.busy.add(d);
    const running = this.run(batch).finally(() => {
      for (const d of devices) this.busy.delete(d);
      this.inFlight.delete(running);
      if (this.waiting.length > 0) this.flushSoon(0);
    });
    this.inFlight.add(running);
    if (this.waiting.length > 0)
      this.flushSoon(this.waiting.length >= this.maxItems ? 0 : this.maxDelayMs);
  }

  private async run(batch: readonly Waiting[]): Promise<void> {
    const items = batch.map((w) => w.item);
    let outcomes: IngestOutcome[];
    try {
      outcomes = await this.commit(items).catch(() => this.commit(items));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => w.resolve(outcomes[i]!));
  }
}

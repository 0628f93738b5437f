import type { Logger } from 'pino';
import type { Database } from '../db/client';
import { latestOutboxId, readOutboxAfter, type OutboxEntry } from '../db/outbox-reader';
import { listenTo } from '../db/notifications';
import { SpanKind } from '@opentelemetry/api';
import { contextFrom, traced, tracing } from '../observability/tracing';

/**
 * Follows the outbox and hands every new row to `publish`, in id order. Woken by the NOTIFY
 * that each twin projection sends on commit (so every API process sees every event), with a
 * periodic read as a safety net for a lost notification or a dropped LISTEN connection.
 */
export class OutboxFeed {
  private cursor = 0;
  private reading: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private unlisten: (() => Promise<void>) | null = null;

  constructor(
    private readonly database: Database,
    private readonly publish: (entry: OutboxEntry) => void,
    private readonly logger: Logger,
    private readonly pollMs = 2_000,
    private readonly onRead: (rows: number) => void = () => {},
  ) {}

  /** The last outbox id handed to `publish` (the metrics' lag). */
  get delivered(): number {
    return this.cursor;
  }

  async start(): Promise<void> {
    this.cursor = await latestOutboxId(this.database);
    const listener = await listenTo(
      this.database,
      'outbox',
      () => this.poke(),
      () => this.poke(),
    );
    this.unlisten = listener.unlisten;
    this.timer = setInterval(() => this.poke(), this.pollMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.unlisten?.();
    await this.reading;
  }

  private poke(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readAll()
      .catch((error) =>
        this.logger.error({ err: error }, 'outbox read failed; retrying on the next wake-up'),
      )
      .finally(() => {
        this.reading = null;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  /** The last span of a traced change: handed to this process's subscribers. */
  private publishTraced(row: OutboxEntry, traceparent: string): void {
    void traced('doppel-api', 'outbox deliver', async () => this.publish(row), {
      parent: contextFrom(traceparent),
      kind: SpanKind.CONSUMER,
      attributes: { 'doppel.outbox.id': row.id, 'doppel.change.kind': row.kind },
    });
  }

  private async readAll(): Promise<void> {
    for (;;) {
      const rows = await readOutboxAfter(this.database, this.cursor);
      for (const row of rows) {
        this.cursor = row.id;
        if (row.traceparent && tracing()) this.publishTraced(row, row.traceparent);
        else this.publish(row);
      }
      this.onRead(rows.length);
      if (rows.length === 0) return;
    }
  }
}

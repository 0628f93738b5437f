import type { Database } from '../db/client';
import { insertLogLines, type LogLine } from '../db/device-logs';
import type { DeviceKey } from '../twins/ids';
import { TokenBucket } from '../twins/token-bucket';
import { TelemetryWriter } from './telemetry-writer';
import type { GatewayMetrics } from './metrics';
import type { LogMessageLine } from './json/messages';

const MAX_BUCKETS = 100_000;

/**
 * Log lines from every device of this gateway (JSON `log` messages, MQTT log topic) into
 * batched INSERTs (the telemetry writer's batching: one statement per batch, the device acked
 * after COMMIT), at most `linesPerSecond` lines a second per device (a token bucket; a burst of
 * one second's worth). Lines past the rate are dropped and counted, not queued: a device that
 * floods its log must not slow the gateway, and it hears how many were dropped.
 */
export class DeviceLogSink {
  private readonly writer: TelemetryWriter<LogLine>;
  /** Per device; the least recently created dropped past MAX_BUCKETS (a full bucket is the default anyway). */
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    database: Database,
    private readonly metrics: GatewayMetrics,
    private readonly linesPerSecond = 100,
  ) {
    this.writer = new TelemetryWriter<LogLine>((lines) => insertLogLines(database, lines));
  }

  /** Stores what the rate allows; resolves after COMMIT with how many lines were dropped. */
  async write(
    key: DeviceKey,
    protocol: 'json' | 'mqtt',
    lines: readonly LogMessageLine[],
  ): Promise<{ dropped: number }> {
    const id = `${key.tenantId}/${key.deviceId}`;
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = new TokenBucket(this.linesPerSecond);
      this.buckets.set(id, bucket);
      if (this.buckets.size > MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value!);
    }
    const admitted = Math.min(lines.length, Math.floor(bucket.available()));
    bucket.take(admitted);
    const rows = lines.slice(0, admitted).map((l): LogLine => ({
      tenantId: key.tenantId,
      deviceId: key.deviceId,
      at: l.at,
      level: l.level,
      source: l.source ?? '',
      text: l.text,
      attributes: l.attributes ?? {},
    }));
    const dropped = lines.length - admitted;
    if (dropped > 0) this.metrics.logLines.inc({ protocol, outcome: 'dropped' }, dropped);
    if (rows.length > 0) {
      await this.writer.write(rows);
      this.metrics.logLines.inc({ protocol, outcome: 'stored' }, rows.length);
    }
    return { dropped };
  }

  drained(): Promise<void> {
    return this.writer.drained();
  }
}

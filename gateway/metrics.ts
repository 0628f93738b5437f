import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { cachedReading } from '../observability/cached-reading';

/**
 * The gateway's Prometheus metrics, served at GET /metrics. Every refused input is counted by
 * protocol and error code, so an operator sees which devices misbehave and how.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly rejected = new Counter({
    name: 'doppel_gateway_rejected_total',
    help: 'Inputs refused by the gateway, by protocol and error code',
    labelNames: ['protocol', 'code'] as const,
    registers: [this.registry],
  });
  readonly connections = new Gauge({
    name: 'doppel_gateway_device_connections',
    help: 'Authenticated device connections open now',
    labelNames: ['protocol'] as const,
    registers: [this.registry],
  });
  readonly admissions = new Counter({
    name: 'doppel_gateway_admissions_total',
    help: 'Connection attempts by outcome (admitted, rate-limited, flapping)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly twinConnects = new Counter({
    name: 'doppel_gateway_twin_connects_total',
    help: 'Connects committed to the device record, by outcome (accepted; failed: the connection was then closed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly reports = new Counter({
    name: 'doppel_gateway_reports_total',
    help: 'Device reports committed to the device record (acknowledged to the device)',
    labelNames: ['protocol'] as const,
    registers: [this.registry],
  });
  readonly telemetrySamples = new Counter({
    name: 'doppel_gateway_telemetry_samples_total',
    help: 'Telemetry samples committed to PostgreSQL (acknowledged to the device)',
    labelNames: ['protocol'] as const,
    registers: [this.registry],
  });
  readonly logLines = new Counter({
    name: 'doppel_gateway_log_lines_total',
    help: 'Device log lines stored, or dropped over the per-device rate',
    labelNames: ['protocol', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly logUploads = new Counter({
    name: 'doppel_gateway_log_uploads_total',
    help: 'Log file uploads: stored, or the refusal code',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly quirks = new Counter({
    name: 'doppel_gateway_quirk_repairs_total',
    help: 'Frames repaired by a device model quirk rule, by model and rule',
    labelNames: ['model', 'rule'] as const,
    registers: [this.registry],
  });
  readonly ackSeconds = new Histogram({
    name: 'doppel_gateway_ack_seconds',
    help: 'From a report received to its acknowledgement (the COMMIT that holds it)',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly backendMessages = new Counter({
    name: 'doppel_gateway_backend_messages_total',
    help: 'Device messages routed to backends, by backend, kind and outcome (delivered, dropped, replayed)',
    labelNames: ['backend', 'kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly backendBuffered = new Gauge({
    name: 'doppel_gateway_backend_buffered',
    help: 'Messages held for unreachable backends now',
    labelNames: ['backend', 'kind'] as const,
    registers: [this.registry],
  });
  readonly backendCalls = new Counter({
    name: 'doppel_gateway_backend_calls_total',
    help: 'Backend-initiated calls to devices, by backend and outcome (relayed, refused, invalid)',
    labelNames: ['backend', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly backendTimeouts = new Counter({
    name: 'doppel_gateway_backend_reply_timeouts_total',
    help: 'Station calls answered with a CALLERROR because the primary backend did not answer in time',
    labelNames: ['backend'] as const,
    registers: [this.registry],
  });

  readonly ingestBatches = new Counter({
    name: 'doppel_gateway_ingest_batches_total',
    help: 'Batches of connects, reports and disconnects written to the device records, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly ingestBatchSeconds = new Histogram({
    name: 'doppel_gateway_ingest_batch_seconds',
    help: 'Time to commit one ingest transaction (connects, reports and disconnects of many devices)',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly telemetryBatchSeconds = new Histogram({
    name: 'doppel_gateway_telemetry_batch_seconds',
    help: 'Time to commit one batch of telemetry samples',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly alarmBatches = new Counter({
    name: 'doppel_gateway_alarm_batches_total',
    help: 'Telemetry batches of tenants with alarm rules, by path: steady (every sample left the known rule states as they were: no statement beyond the INSERT) or judged (read, locked and written in the transaction)',
    labelNames: ['path'] as const,
    registers: [this.registry],
  });
  readonly telemetryBatchSize = new Histogram({
    name: 'doppel_gateway_telemetry_batch_samples',
    help: 'Telemetry samples per insert',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000],
    registers: [this.registry],
  });
  readonly messages = new Counter({
    name: 'doppel_gateway_messages_total',
    help: 'Device messages received on authenticated connections, by protocol and kind (connect, report, telemetry, disconnect)',
    labelNames: ['protocol', 'kind'] as const,
    registers: [this.registry],
  });
  readonly ingestBatchSize = new Histogram({
    name: 'doppel_gateway_ingest_batch_messages',
    help: 'Device messages per ingest transaction',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
    registers: [this.registry],
  });
  readonly idTagAuthorizations = new Counter({
    name: 'doppel_gateway_id_tag_authorizations_total',
    help: "Stations' idTags authorised against OCPI tokens (tenants with OCPI parties), by source (cache, realtime, offline) and OCPP status",
    labelNames: ['source', 'status'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'doppel_gateway_' });
  }

  refuse(protocol: string, code: string): void {
    this.rejected.inc({ protocol, code });
  }
}

/**
 * Gauges read when scraped: the ingest writer's backlog, and the twin notices waiting in the
 * database (how far behind the twins are: docs/architecture.md, "notices").
 */
export function watchBacklogs(
  metrics: GatewayMetrics,
  ingestBacklog: () => number,
  notices: () => Promise<{ waiting: number; oldestSeconds: number }>,
): void {
  new Gauge({
    name: 'doppel_gateway_ingest_backlog',
    help: 'Device messages waiting for an ingest transaction on this gateway',
    registers: [metrics.registry],
    collect() {
      this.set(ingestBacklog());
    },
  });
  const read = cachedReading(notices, { waiting: 0, oldestSeconds: 0 });
  new Gauge({
    name: 'doppel_twin_notices_waiting',
    help: 'Changes committed by the ingest path that wait for their twin (fleet-wide)',
    registers: [metrics.registry],
    async collect() {
      this.set((await read()).waiting);
    },
  });
  new Gauge({
    name: 'doppel_twin_notice_age_seconds',
    help: 'Age of the oldest twin notice waiting (fleet-wide): how far behind the twins are',
    registers: [metrics.registry],
    async collect() {
      this.set((await read()).oldestSeconds);
    },
  });
}

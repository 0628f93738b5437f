import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
    help: 'Sessions the twin was told of, by outcome (accepted by Temporal, failed: the connection was then closed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly reports = new Counter({
    name: 'doppel_gateway_reports_total',
    help: 'Device reports accepted by their twin (acknowledged to the device)',
    labelNames: ['protocol'] as const,
    registers: [this.registry],
  });
  readonly telemetrySamples = new Counter({
    name: 'doppel_gateway_telemetry_samples_total',
    help: 'Telemetry samples committed to PostgreSQL (acknowledged to the device)',
    labelNames: ['protocol'] as const,
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
    help: 'From a report received to its acknowledgement (the twin accepted it)',
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

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'doppel_gateway_' });
  }

  refuse(protocol: string, code: string): void {
    this.rejected.inc({ protocol, code });
  }
}

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Egress } from '../../outbound/egress';
import { postSigned } from '../../outbound/signed-post';
import type { DeviceKey } from '../../twins/ids';
import { routesOf, type WebhookBackend } from '../../twins/routing';
import type { GatewayMetrics } from '../metrics';
import type { BackendDirectory } from './backend-directory';

/** What a device did, as webhooks hear it: only what the device was acknowledged for. */
export type DeviceEvent =
  | { kind: 'connected'; sessionId: string; protocol: string }
  | { kind: 'report'; sessionId: string; seq: number; state: Record<string, unknown> }
  | {
      kind: 'telemetry';
      samples: ReadonlyArray<{ at: string; values: Record<string, unknown>; channel: string }>;
    }
  | { kind: 'disconnected'; sessionId: string; reason: string };

export interface WebhookOptions {
  directory: BackendDirectory;
  metrics: GatewayMetrics;
  logger: Logger;
  nodeId: string;
  /** Where the backends' URLs may lead (private networks refused unless allowed). */
  egress: Egress;
  /** Per-attempt HTTP time-out (ms); default 10 s. */
  requestTimeoutMs?: number;
  /** Retry back-off bounds (ms); defaults 250 ms … 30 s. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

interface Delivery {
  id: string;
  type: string;
  time: string;
  data: Record<string, unknown>;
}

/** One device's deliveries to one webhook: in order, one in flight, retried until taken. */
interface Lane {
  tenantId: string;
  backendId: string;
  items: Delivery[];
  sending: boolean;
  attempt: number;
}

/**
 * Copies device events to the tenant's webhook backends as CloudEvents-shaped JSON signed
 * with HMAC-SHA256. Each device's events reach each webhook in order; a webhook that fails
 * (non-2xx, refused, timed out) gets the same delivery again with exponential back-off while
 * later ones wait, up to the backend's buffer limit (the oldest are dropped first, counted).
 * Buffers live in the gateway's memory: a gateway crash loses what it had not delivered.
 */
export class WebhookRouter {
  private readonly lanes = new Map<string, Lane>();
  /** Per device: routes are looked up in order, so events keep their order across lookups. */
  private readonly ordering = new Map<string, Promise<void>>();
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: WebhookOptions) {}

  /** Queues the event for every webhook that takes this device (never throws). */
  deliver(key: DeviceKey, model: string | null, event: DeviceEvent): void {
    if (this.stopped) return;
    // The hot path: a tenant known to have no webhook costs nothing per message.
    const known = this.opts.directory.loadedOf(key.tenantId);
    if (known && !known.some((e) => e.backend.kind === 'webhook' && e.backend.enabled)) return;
    const device = `${key.tenantId}/${key.deviceId}`;
    const delivery: Delivery = {
      id: randomUUID(),
      type: `doppel.device.${event.kind}`,
      time: new Date().toISOString(),
      data: { tenantId: key.tenantId, deviceId: key.deviceId, model, ...event },
    };
    const previous = this.ordering.get(device) ?? Promise.resolve();
    const done = previous
      .then(() => this.opts.directory.backendsOf(key.tenantId))
      .then((entries) => {
        const hooks = routesOf(
          entries.map((e) => e.backend),
          { deviceId: key.deviceId, model },
        ).filter((b): b is WebhookBackend => b.kind === 'webhook');
        for (const hook of hooks) this.enqueue(key, hook, delivery);
      })
      .catch((err) =>
        this.opts.logger.error({ err }, 'webhook routes not loaded; event not copied'),
      )
      .finally(() => {
        if (this.ordering.get(device) === done) this.ordering.delete(device);
      });
    this.ordering.set(device, done);
  }

  /** Deliveries waiting (tests, metrics). */
  get pending(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.items.length;
    return n;
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
  }

  private enqueue(key: DeviceKey, hook: WebhookBackend, delivery: Delivery): void {
    const id = `${key.tenantId}/${hook.id}/${key.deviceId}`;
    let lane = this.lanes.get(id);
    if (!lane) {
      lane = { tenantId: key.tenantId, backendId: hook.id, items: [], sending: false, attempt: 0 };
      this.lanes.set(id, lane);
    }
    lane.items.push(delivery);
    this.gauge(lane, 1);
    // The one in flight (the head while sending) is never the one dropped.
    if (lane.items.length > hook.bufferLimit) {
      lane.items.splice(lane.sending ? 1 : 0, 1);
      this.gauge(lane, -1);
      this.count(lane, 'dropped');
    }
    if (!lane.sending) void this.drain(id, lane);
  }

  private async drain(id: string, lane: Lane): Promise<void> {
    lane.sending = true;
    while (lane.items.length > 0 && !this.stopped) {
      // The current definition: a changed URL or secret applies to the next attempt.
      const hook = await this.current(lane);
      if (!hook) {
        this.gauge(lane, -lane.items.length);
        lane.items.length = 0;
        break;
      }
      const delivered = await this.post(hook, lane.items[0]!);
      if (delivered) {
        lane.items.shift();
        this.gauge(lane, -1);
        this.count(lane, lane.attempt > 0 ? 'replayed' : 'delivered');
        lane.attempt = 0;
        continue;
      }
      const { backoffMinMs = 250, backoffMaxMs = 30_000 } = this.opts;
      const delay = Math.min(backoffMaxMs, backoffMinMs * 2 ** lane.attempt++);
      await this.sleep(delay * (0.5 + Math.random() / 2));
    }
    lane.sending = false;
    if (lane.items.length === 0) this.lanes.delete(id);
  }

  private async current(lane: Lane): Promise<WebhookBackend | null> {
    try {
      const entries = await this.opts.directory.backendsOf(lane.tenantId);
      const hook = entries.find((e) => e.backend.id === lane.backendId)?.backend;
      return hook && hook.kind === 'webhook' && hook.enabled ? hook : null;
    } catch {
      return null;
    }
  }

  private async post(hook: WebhookBackend, delivery: Delivery): Promise<boolean> {
    const body = JSON.stringify({
      specversion: '1.0',
      id: delivery.id,
      source: `doppel:gateway:${this.opts.nodeId}`,
      type: delivery.type,
      subject: `${delivery.data.tenantId}/${delivery.data.deviceId}`,
      time: delivery.time,
      datacontenttype: 'application/json',
      data: delivery.data,
    });
    try {
      const res = await postSigned(this.opts.egress, {
        url: hook.url,
        body,
        signing: { scheme: 'doppel-hmac', secret: hook.secret },
        contentType: 'application/cloudevents+json',
        timeoutMs: this.opts.requestTimeoutMs ?? 10_000,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return true;
      this.opts.logger.warn({ backend: hook.id, status: res.status }, 'webhook refused a delivery');
      return false;
    } catch (err) {
      this.opts.logger.warn({ backend: hook.id, err }, 'webhook unreachable');
      return false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private gauge(lane: Lane, delta: number): void {
    if (delta !== 0)
      this.opts.metrics.backendBuffered.inc(
        { backend: `${lane.tenantId}/${lane.backendId}`, kind: 'webhook' },
        delta,
      );
  }

  private count(lane: Lane, outcome: 'delivered' | 'dropped' | 'replayed'): void {
    this.opts.metrics.backendMessages.inc({
      backend: `${lane.tenantId}/${lane.backendId}`,
      kind: 'webhook',
      outcome,
    });
  }
}

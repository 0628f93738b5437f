/**
 * What every simulated device shares: connecting through the process's connection limiter,
 * retrying with exponential back-off (503 from admission control honours Retry-After),
 * reconnecting after a lost connection with or without jitter, connection-scoped timers, and
 * the connected/booted gauges.
 */
import type { ConnectLimiter } from './connect-limiter';
import type { Counters } from './counters';
import type { FleetOptions } from './options';
import type { ReadyDevice } from './plan';
import { Rng } from './rng';

export interface DeviceContext {
  options: FleetOptions;
  counters: Counters;
  limiter: ConnectLimiter;
}

const MAX_BACKOFF_MS = 30_000;

/** The HTTP status of a refused WebSocket upgrade (ws, ocpp-rpc and MQTT.js word it differently). */
export function refusedStatus(error: unknown): { status?: number; retryAfterS?: number } {
  const e = error as {
    code?: unknown;
    statusCode?: unknown;
    message?: unknown;
    response?: { headers?: Record<string, unknown> };
  };
  const status =
    typeof e?.code === 'number'
      ? e.code
      : typeof e?.statusCode === 'number'
        ? e.statusCode
        : Number(/Unexpected server response: (\d{3})/.exec(String(e?.message))?.[1]) || undefined;
  const retryAfter = Number(e?.response?.headers?.['retry-after']);
  return { status, ...(retryAfter > 0 ? { retryAfterS: retryAfter } : {}) };
}

export abstract class SimulatedDevice {
  protected readonly rng: Rng;
  protected stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private connectedOnce = false;
  private isConnected = false;
  private isBooted = false;
  private connecting = false;
  private attempt = 0;

  constructor(
    protected readonly ctx: DeviceContext,
    protected readonly spec: ReadyDevice,
  ) {
    this.rng = Rng.forDevice(ctx.options.seed, spec.index);
  }

  get deviceId(): string {
    return this.spec.deviceId;
  }

  /** Connects (paced by the limiter) and keeps the device running until `stop`. */
  start(): void {
    void this.connectLoop(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    this.onLost();
    this.setBooted(false);
    this.setConnected(false);
    await this.close().catch(() => {});
  }

  /** Opens the connection and completes boot/hello; throws when either fails. */
  protected abstract open(): Promise<void>;
  /** Closes the current connection, if any, without reconnecting by itself. */
  protected abstract close(): Promise<void>;
  /** Called after the connection was lost, before reconnecting: forget connection state. */
  protected abstract onLost(): void;

  /** The subclass saw its connection end: clean up and come back after a delay. */
  protected lost(): void {
    if (this.stopped) return;
    this.clearTimers();
    this.setBooted(false);
    this.setConnected(false);
    this.onLost();
    void this.close().catch(() => {});
    if (!this.connecting) void this.connectLoop(this.delay(0));
  }

  protected setConnected(value: boolean): void {
    if (value === this.isConnected) return;
    this.isConnected = value;
    this.ctx.counters.connected += value ? 1 : -1;
  }

  protected setBooted(value: boolean): void {
    if (value === this.isBooted) return;
    this.isBooted = value;
    this.ctx.counters.booted += value ? 1 : -1;
  }

  /** Runs `fn` once after `ms`, unless the connection ends first. */
  protected after(ms: number, fn: () => void): void {
    if (!(ms < 2 ** 31 - 1)) return; // "never" (a rate of 0); Node would run it at once
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Runs `fn` every `ms` (first after a random phase), until the connection ends. */
  protected every(ms: number, fn: () => void): void {
    const tick = () => {
      fn();
      this.after(ms, tick);
    };
    this.after(this.rng.between(0.1, 1) * ms, tick);
  }

  /** Counts a message and its answer; a failure counts as an error (returns undefined). */
  protected async send<T>(message: () => Promise<T>): Promise<T | undefined> {
    this.ctx.counters.messages++;
    try {
      const answer = await message();
      this.ctx.counters.acks++;
      return answer;
    } catch (error) {
      if (this.stopped) return undefined;
      this.ctx.counters.errors++;
      if (/time(d)?[ -]?out/i.test(`${(error as Error)?.name} ${(error as Error)?.message}`))
        this.ctx.counters.timeouts++;
      return undefined;
    }
  }

  /** Waits of exponential means: `perHour` events per hour → seconds to the next one. */
  protected nextEventMs(perHour: number): number {
    return perHour > 0 ? this.rng.exponential(3_600_000 / perHour) : Number.POSITIVE_INFINITY;
  }

  private async connectLoop(initialDelayMs: number): Promise<void> {
    this.connecting = true;
    try {
      if (initialDelayMs > 0) await sleep(initialDelayMs);
      while (!this.stopped) {
        await this.ctx.limiter.take();
        if (this.stopped) return;
        try {
          await this.open();
          if (this.stopped) return void (await this.close().catch(() => {}));
          if (this.connectedOnce) this.ctx.counters.reconnects++;
          this.connectedOnce = true;
          this.attempt = 0;
          return;
        } catch (error) {
          this.clearTimers();
          this.setBooted(false);
          this.setConnected(false);
          this.onLost();
          await this.close().catch(() => {});
          if (this.stopped) return;
          const refused = refusedStatus(error);
          if (refused.status === 503) this.ctx.counters.refused503++;
          else {
            this.ctx.counters.errors++;
            this.ctx.counters.connectFailures++;
            // SIM_DEBUG=1: the first failures of each worker, to tell what they are.
            if (process.env.SIM_DEBUG && this.ctx.counters.connectFailures <= 5)
              console.error(`connect failed (${this.constructor.name}):`, String(error));
          }
          this.attempt++;
          await sleep(Math.max(this.delay(this.attempt), (refused.retryAfterS ?? 0) * 1000));
        }
      }
    } finally {
      this.connecting = false;
    }
  }

  /** Exponential back-off from the configured first delay, ±50 % when jitter is on. */
  private delay(attempt: number): number {
    const { reconnectDelayMs, reconnectJitter } = this.ctx.options;
    const base = Math.min(MAX_BACKOFF_MS, reconnectDelayMs * 2 ** attempt);
    return reconnectJitter ? this.rng.jitter(base, 0.5) : base;
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

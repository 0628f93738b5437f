/**
 * A device on the native JSON protocol over ws: hello → welcome, then state reports and
 * telemetry at its rates, faults, desired state applied and reported back, and commands
 * answered with command-result.
 */
import WebSocket from 'ws';
import type { ReadyDevice } from '../plan';
import { SimulatedDevice, type DeviceContext } from '../simulated-device';

export class JsonDevice extends SimulatedDevice {
  private ws: WebSocket | undefined;
  private seq = 0;
  private readonly pending = new Map<number, true>();
  private energyKWh: number;
  private faulted = false;

  constructor(ctx: DeviceContext, spec: ReadyDevice) {
    super(ctx, spec);
    this.energyKWh = Math.round(this.rng.between(0, 50_000));
  }

  protected async open(): Promise<void> {
    const { options } = this.ctx;
    const ws = new WebSocket(`${options.gateway}/device`, {
      ...(this.spec.localAddress ? { localAddress: this.spec.localAddress } : {}),
      handshakeTimeout: 30_000,
    });
    this.ws = ws;
    this.seq = 0;
    this.pending.clear();
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(
          Object.assign(new Error(`HTTP ${res.statusCode}`), {
            code: res.statusCode,
            response: res,
          }),
        ),
      );
    });
    ws.on('error', () => {});
    this.setConnected(true);
    const welcome = new Promise<void>((resolve, reject) => {
      ws.once('message', (data) => {
        const m = JSON.parse(String(data)) as { type: string; code?: string };
        if (m.type === 'welcome') resolve();
        else reject(new Error(`hello refused: ${m.code}`));
      });
      ws.once('close', () => reject(new Error('closed before welcome')));
    });
    this.write({
      type: 'hello',
      seq: ++this.seq,
      tenant: options.tenant,
      device: this.spec.deviceId,
      token: this.spec.token,
      model: this.spec.model,
      firmware: 'meter-4.1.0',
    });
    await welcome;
    this.ctx.counters.acks++;
    ws.on('message', (data) => this.receive(String(data)));
    ws.on('close', () => {
      if (this.ws === ws) this.lost();
    });
    this.setBooted(true);
    const { rates } = options;
    this.message({ type: 'report', state: { status: this.faulted ? 'fault' : 'ok' } });
    this.every(rates.telemetryIntervalS * 1000, () => {
      this.energyKWh += this.rng.between(0, 2);
      this.message({
        type: 'telemetry',
        samples: [
          {
            at: new Date().toISOString(),
            values: { energy_kWh: round(this.energyKWh), power: round(this.rng.between(0, 11)) },
          },
        ],
      });
    });
    this.every(rates.reportIntervalS * 1000, () =>
      this.message({ type: 'report', state: { energyKWh: round(this.energyKWh) } }),
    );
    this.scheduleFault();
    this.after(this.nextEventMs(rates.dropsPerHour), () => ws.terminate());
  }

  protected async close(): Promise<void> {
    const ws = this.ws;
    this.ws = undefined;
    ws?.terminate();
  }

  protected onLost(): void {
    this.pending.clear();
  }

  private write(message: Record<string, unknown>): void {
    this.ctx.counters.messages++;
    this.ws?.send(JSON.stringify(message));
  }

  private message(body: Record<string, unknown>): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    const seq = ++this.seq;
    this.pending.set(seq, true);
    this.write({ ...body, seq });
  }

  private receive(text: string): void {
    let m: { type?: string; seq?: number; id?: string; state?: Record<string, unknown> };
    try {
      m = JSON.parse(text);
    } catch {
      this.ctx.counters.errors++;
      return;
    }
    if (m.type === 'ack' && m.seq !== undefined && this.pending.delete(m.seq))
      this.ctx.counters.acks++;
    else if (m.type === 'error') {
      if (m.seq !== undefined) this.pending.delete(m.seq);
      this.ctx.counters.errors++;
    } else if (m.type === 'desired' && m.state && Object.keys(m.state).length > 0)
      this.message({ type: 'report', state: m.state });
    else if (m.type === 'command' && m.id)
      this.message({ type: 'command-result', id: m.id, status: 'accepted', result: {} });
  }

  private scheduleFault(): void {
    const { faultsPerHour, faultDurationS } = this.ctx.options.rates;
    this.after(this.nextEventMs(faultsPerHour), () => {
      this.faulted = true;
      this.ctx.counters.faults++;
      this.message({ type: 'report', state: { status: 'fault', fault: 'overvoltage' } });
      this.after(this.rng.jitter(faultDurationS * 1000, 0.3), () => {
        this.faulted = false;
        this.message({ type: 'report', state: { status: 'ok', fault: null } });
        this.scheduleFault();
      });
    });
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

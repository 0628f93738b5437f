/**
 * An environment sensor on MQTT.js over WebSocket (MQTT 5 or 3.1.1, alternating by index):
 * QoS 1 telemetry and state reports, a fault now and then, and the desired state it is sent
 * applied and reported back (which closes the twin's delta).
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { ReadyDevice } from '../plan';
import { SimulatedDevice, type DeviceContext } from '../simulated-device';

export class MqttSensor extends SimulatedDevice {
  private client: MqttClient | undefined;
  private readonly topic: string;
  private temperature: number;
  private humidity: number;
  private battery = 100;
  private faulted = false;

  constructor(ctx: DeviceContext, spec: ReadyDevice) {
    super(ctx, spec);
    this.topic = `doppel/${ctx.options.tenant}/${spec.deviceId}`;
    this.temperature = this.rng.between(15, 28);
    this.humidity = this.rng.between(30, 60);
  }

  protected async open(): Promise<void> {
    const { options } = this.ctx;
    const login = `${options.tenant}/${this.spec.deviceId}`;
    const client = await mqtt.connectAsync(`${options.gateway}/mqtt`, {
      protocolVersion: this.spec.index % 2 === 0 ? 5 : 4,
      clientId: login,
      username: login,
      password: this.spec.token,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      keepalive: 60,
      will: { topic: `${this.topic}/report`, payload: Buffer.from('{}'), qos: 0, retain: false },
      ...(this.spec.localAddress ? { wsOptions: { localAddress: this.spec.localAddress } } : {}),
    });
    this.client = client;
    client.on('error', () => {
      if (!this.stopped) this.ctx.counters.errors++;
    });
    client.on('close', () => {
      if (this.client === client) this.lost();
    });
    client.on('message', (_topic, payload) => this.applyDesired(payload));
    this.setConnected(true);
    await client.subscribeAsync(`${this.topic}/desired`, { qos: 1 });
    this.setBooted(true);
    const { rates } = options;
    void this.report({ status: this.faulted ? 'fault' : 'ok', firmware: 'sensor-2.3.1' });
    this.every(rates.telemetryIntervalS * 1000, () => void this.telemetry());
    this.every(rates.reportIntervalS * 1000, () => void this.report(this.state()));
    this.scheduleFault();
    this.after(this.nextEventMs(rates.dropsPerHour), () => client.stream.destroy());
  }

  protected async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.endAsync(true);
  }

  protected onLost(): void {}

  private state() {
    this.temperature += this.rng.between(-0.3, 0.3);
    this.humidity = Math.min(95, Math.max(5, this.humidity + this.rng.between(-1, 1)));
    this.battery = Math.max(1, this.battery - this.rng.between(0, 0.05));
    return {
      temperature: round(this.temperature),
      humidity: round(this.humidity),
      battery: round(this.battery),
    };
  }

  private publish(suffix: string, body: unknown) {
    const client = this.client;
    if (!client) return Promise.resolve(undefined);
    return this.send(async () => {
      const ack = (await client.publishAsync(`${this.topic}/${suffix}`, JSON.stringify(body), {
        qos: 1,
      })) as { reasonCode?: number } | undefined;
      if ((ack?.reasonCode ?? 0) >= 0x80) throw new Error(`PUBACK ${ack?.reasonCode}`);
      return ack;
    });
  }

  private report(state: Record<string, unknown>) {
    return this.publish('report', state);
  }

  private telemetry() {
    return this.publish('telemetry', {
      samples: [{ at: new Date().toISOString(), values: this.state() }],
    });
  }

  private applyDesired(payload: Buffer): void {
    try {
      const { state } = JSON.parse(payload.toString()) as { state?: Record<string, unknown> };
      if (state && Object.keys(state).length > 0) void this.report(state);
    } catch {
      this.ctx.counters.errors++;
    }
  }

  private scheduleFault(): void {
    const { faultsPerHour, faultDurationS } = this.ctx.options.rates;
    this.after(this.nextEventMs(faultsPerHour), () => {
      this.faulted = true;
      this.ctx.counters.faults++;
      void this.report({ status: 'fault', fault: 'sensor-drift' });
      this.after(this.rng.jitter(faultDurationS * 1000, 0.3), () => {
        this.faulted = false;
        void this.report({ status: 'ok', fault: null });
        this.scheduleFault();
      });
    });
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

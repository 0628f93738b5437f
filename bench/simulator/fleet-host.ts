/**
 * Runs a slice of the fleet in this process: one simulated device per ReadyDevice, sharing
 * one connection limiter and one set of counters. Used directly for small fleets and tests,
 * and by every worker process for large ones.
 */
import { ConnectLimiter } from './connect-limiter';
import { zeroCounters, type Counters } from './counters';
import { JsonDevice } from './devices/json-device';
import { MqttSensor } from './devices/mqtt-sensor';
import { OcppCharger } from './devices/ocpp-charger';
import type { FleetOptions } from './options';
import type { ReadyDevice } from './plan';
import type { DeviceContext, SimulatedDevice } from './simulated-device';

export class FleetHost {
  readonly counters: Counters = zeroCounters();
  private readonly limiter: ConnectLimiter;
  private readonly devices: SimulatedDevice[];

  constructor(options: FleetOptions, devices: ReadyDevice[], connectRate = options.connectRate) {
    this.limiter = new ConnectLimiter(connectRate);
    const ctx: DeviceContext = { options, counters: this.counters, limiter: this.limiter };
    this.devices = devices.map((spec) =>
      spec.kind === 'mqtt'
        ? new MqttSensor(ctx, spec)
        : spec.kind === 'json'
          ? new JsonDevice(ctx, spec)
          : new OcppCharger(ctx, spec),
    );
  }

  start(): void {
    for (const device of this.devices) device.start();
  }

  /** Devices still waiting for their turn to connect. */
  get waiting(): number {
    return this.limiter.queued;
  }

  async stop(): Promise<Counters> {
    this.limiter.stop();
    await Promise.all(this.devices.map((d) => d.stop()));
    return this.counters;
  }
}

/**
 * What a fleet run is told: where the stack is, how many devices of each kind, how they
 * behave. The CLI (cli.ts) and tests build these; `withDefaults` fills the rest with rates
 * that keep each device below one message every few seconds.
 */
export interface FleetCounts {
  ocpp16: number;
  ocpp201: number;
  mqtt: number;
  json: number;
}

export interface DeviceRates {
  /** Mean seconds between two charging sessions of an idle charger (exponential). */
  sessionIntervalS: number;
  /** Charging session length, seconds: uniformly between these. */
  sessionMinS: number;
  sessionMaxS: number;
  /** Seconds between MeterValues (1.6) / TransactionEvent Updated (2.0.1) during a session. */
  meterIntervalS: number;
  /** Seconds between telemetry messages of MQTT sensors and JSON devices. */
  telemetryIntervalS: number;
  /** Seconds between state reports of MQTT sensors and JSON devices. */
  reportIntervalS: number;
  /** Faults per device per hour (a charger reports Faulted, a sensor reports a fault state). */
  faultsPerHour: number;
  /** Seconds a fault lasts before the device is Available again. */
  faultDurationS: number;
  /** Deliberate disconnects per device per hour (network churn), each followed by a reconnect. */
  dropsPerHour: number;
  /** Seconds per firmware step (Downloading → Downloaded → Installing → Installed → reboot). */
  firmwareStepS: number;
  /** Share of firmware updates that end in DownloadFailed / InstallationFailed. */
  firmwareFailureRate: number;
  /** Share of firmware updates that stop reporting half-way (the server's time-out path). */
  firmwareTimeoutRate: number;
  /** Heartbeat interval when the gateway does not give one, seconds (it does: BootNotification). */
  heartbeatFallbackS: number;
}

export interface FleetOptions {
  /** The gateway's base URL, e.g. ws://127.0.0.1:8080 (paths /device, /ocpp, /mqtt are added). */
  gateway: string;
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  api: string;
  tenant: string;
  counts: FleetCounts;
  /** Seconds to run after registration; 0 or Infinity = until stopped. */
  durationS: number;
  seed: number;
  /** New connections per second over the whole fleet (initial ramp-up and reconnects). */
  connectRate: number;
  /** Randomise reconnect delays (±50 %), so a dropped fleet does not come back in lock-step. */
  reconnectJitter: boolean;
  /** First reconnect delay, ms; doubles per failed attempt up to 30 s. */
  reconnectDelayMs: number;
  rates: DeviceRates;
  /** Concurrent registerDevice calls. */
  registerConcurrency: number;
  /** False: run only the devices already registered (tokens on file); register no new ones. */
  registerMissing: boolean;
  /** Where the device tokens are kept between runs. */
  tokensFile: string;
  /** Devices per worker process; more devices than this fork workers (each < 15,000). */
  devicesPerWorker: number;
  /** Force the number of worker processes; 0 = run in this process when the fleet fits. */
  workers: number;
  /** Spread connections over this many 127.0.0.x source addresses (loopback gateways only). */
  sourceAddresses: number;
  /** Prefix of every device id, so several fleets can share a tenant. */
  idPrefix: string;
}

export const DEFAULT_RATES: DeviceRates = {
  sessionIntervalS: 300,
  sessionMinS: 60,
  sessionMaxS: 240,
  meterIntervalS: 30,
  telemetryIntervalS: 30,
  reportIntervalS: 60,
  faultsPerHour: 0.2,
  faultDurationS: 30,
  dropsPerHour: 0.1,
  firmwareStepS: 2,
  firmwareFailureRate: 0.05,
  firmwareTimeoutRate: 0.02,
  heartbeatFallbackS: 300,
};

export type FleetInput = Partial<Omit<FleetOptions, 'counts' | 'rates'>> & {
  counts?: Partial<FleetCounts>;
  rates?: Partial<DeviceRates>;
};

export function withDefaults(
  input: FleetInput,
  tokensFileFor: (tenant: string) => string,
): FleetOptions {
  const tenant = input.tenant ?? 'sim';
  const counts = { ocpp16: 0, ocpp201: 0, mqtt: 0, json: 0, ...input.counts };
  const total = counts.ocpp16 + counts.ocpp201 + counts.mqtt + counts.json;
  return {
    gateway: (input.gateway ?? 'ws://127.0.0.1:8080').replace(/\/+$/, ''),
    api: input.api ?? 'http://127.0.0.1:4000/graphql',
    tenant,
    counts,
    durationS: input.durationS ?? 60,
    seed: input.seed ?? 1,
    connectRate: input.connectRate ?? 200,
    reconnectJitter: input.reconnectJitter ?? true,
    reconnectDelayMs: input.reconnectDelayMs ?? 1_000,
    rates: { ...DEFAULT_RATES, ...input.rates },
    registerConcurrency: input.registerConcurrency ?? 16,
    registerMissing: input.registerMissing ?? true,
    tokensFile: input.tokensFile ?? tokensFileFor(tenant),
    devicesPerWorker: Math.min(input.devicesPerWorker ?? 5_000, 14_999),
    workers: input.workers ?? 0,
    sourceAddresses: input.sourceAddresses ?? Math.max(1, Math.ceil(total / 5_000)),
    idPrefix: input.idPrefix ?? 'sim',
  };
}

/** A handful of devices of each kind against the embedded stack's default URLs (`--demo`). */
export const DEMO: FleetInput = {
  tenant: 'demo',
  counts: { ocpp16: 3, ocpp201: 3, mqtt: 3, json: 3 },
  durationS: Infinity,
  rates: {
    sessionIntervalS: 40,
    sessionMinS: 30,
    sessionMaxS: 90,
    meterIntervalS: 10,
    telemetryIntervalS: 10,
    reportIntervalS: 15,
    faultsPerHour: 6,
    dropsPerHour: 2,
  },
};

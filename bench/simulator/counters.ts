/**
 * The fleet's counters: what every simulated device adds to, what workers send to the parent
 * once a second, and what the status line shows. Gauges (connected, booted, charging) are
 * current values; everything else only grows.
 */
export interface Counters {
  /** Devices with an open connection that the gateway accepted (welcome, CONNACK, boot). */
  connected: number;
  /** Devices that finished their boot/hello and run normally. */
  booted: number;
  /** Charging sessions in progress. */
  charging: number;
  sessionsStarted: number;
  sessionsCompleted: number;
  /** Messages sent by devices (OCPP CALLs, MQTT publishes, JSON messages). */
  messages: number;
  /** Answers and acknowledgements received. */
  acks: number;
  faults: number;
  firmwareStarted: number;
  firmwareDone: number;
  firmwareFailed: number;
  /** Firmware updates the device abandoned without a final status (simulated time-outs). */
  firmwareTimedOut: number;
  /** Connections opened again after the first one (lost, reset, firmware reboot, churn). */
  reconnects: number;
  /** Connection attempts refused with 503 by admission control (retried with back-off). */
  refused503: number;
  /** Failed connection attempts, refused messages, protocol errors (all of the two below). */
  errors: number;
  /** Of the errors: connection attempts that failed (not 503). */
  connectFailures: number;
  /** Of the errors: messages whose answer did not come in time. */
  timeouts: number;
}

export const GAUGES = ['connected', 'booted', 'charging'] as const;

export function zeroCounters(): Counters {
  return {
    connected: 0,
    booted: 0,
    charging: 0,
    sessionsStarted: 0,
    sessionsCompleted: 0,
    messages: 0,
    acks: 0,
    faults: 0,
    firmwareStarted: 0,
    firmwareDone: 0,
    firmwareFailed: 0,
    firmwareTimedOut: 0,
    reconnects: 0,
    refused503: 0,
    errors: 0,
    connectFailures: 0,
    timeouts: 0,
  };
}

/** The sum of several processes' counters. */
export function sumCounters(parts: Iterable<Counters>): Counters {
  const total = zeroCounters();
  for (const part of parts) {
    for (const key of Object.keys(total) as Array<keyof Counters>) total[key] += part[key];
  }
  return total;
}

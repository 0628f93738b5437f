import type { DeviceLogSink } from '../device-log-sink';
import type { DeviceLinks } from '../device-links';
import type { MqttLimits } from './connect-request';

/** The WebSocket under an MQTT session, as the endpoint provides it. */
export interface Wire {
  send(bytes: Buffer): void;
  /** Sends a close frame (reason cut to fit); the endpoint then calls the session's `closed()`. */
  end(code: number, reason: string): void;
  /** The client's address (failed logins are counted per address too). */
  source: string;
}

/** What a session needs from the endpoint that holds it. */
export interface SessionHost<Session> {
  links: DeviceLinks;
  /** Where log-topic lines go (batched, rate-limited per device). */
  logs: DeviceLogSink;
  limits: MqttLimits;
  connectTimeoutMs: number;
  /** Makes `session` the one of its client id; returns the session it takes over, if any. */
  claim(clientId: string, session: Session): Session | undefined;
  release(clientId: string, session: Session): void;
}

/** WebSocket close codes (RFC 6455) an MQTT connection ends with. */
export const WsClose = {
  normal: 1000,
  goingAway: 1001,
  /** A text frame: MQTT travels in binary frames only. */
  unsupportedData: 1003,
  /** The device broke a rule of MQTT or of this gateway. */
  violation: 1008,
  /** The server cannot take the session now (RFC 6455 1013 "try again later"). */
  tryAgainLater: 1013,
} as const;

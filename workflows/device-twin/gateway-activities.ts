import type { CommandOutcome } from '../../twins/device';

/**
 * Activities that a gateway process runs on its own task queue (`gateway.<nodeId>`) for the
 * connections it holds. The twin schedules them; gateway/ implements them.
 */
export interface GatewayActivities {
  /** Answers at once: the watchdog's proof that this gateway's worker is alive. */
  ping(): Promise<void>;
  /** Closes a device's connection; false when the session is no longer on this gateway. */
  closeDeviceSession(input: { sessionId: string; code: number; reason: string }): Promise<boolean>;
  /**
   * Tells a device what it should change (the shadow delta); false when the session is no
   * longer on this gateway. The device answers with a report.
   */
  pushDesired(input: {
    sessionId: string;
    shadowVersion: number;
    delta: Record<string, unknown>;
  }): Promise<boolean>;
  /**
   * Sends a command to a device and waits for its answer; `delivered: false` when the session
   * is no longer on this gateway, or ended before the device answered (MQTT): the twin keeps
   * the command for the next connection.
   */
  deliverCommand(input: {
    sessionId: string;
    name: string;
    params: Record<string, unknown>;
    timeoutMs: number;
    /** The twin's id of the command (MQTT names its topic and correlation after it). */
    commandId?: string;
    /** After this the command must not reach the device any more. */
    expiresAt?: string;
  }): Promise<{ delivered: false } | { delivered: true; outcome: CommandOutcome }>;
}

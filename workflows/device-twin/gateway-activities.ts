/**
 * Activities that a gateway process runs on its own task queue (`gateway.<nodeId>`) for the
 * connections it holds. The twin schedules them; gateway/ implements them.
 */
export interface GatewayActivities {
  /** Closes a device's connection; false when the session is no longer on this gateway. */
  closeDeviceSession(input: { sessionId: string; code: number; reason: string }): Promise<boolean>;
}

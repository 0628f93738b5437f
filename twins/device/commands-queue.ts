/**
 * Commands to a device (reset, unlock, trigger a message, …): queued in the twin, delivered
 * through the gateway that holds the device's connection, answered by the device. A command
 * for an offline device waits until it reconnects, or until its time-to-live runs out.
 */
export type DeviceCommandStatus =
  'pending' | 'sent' | 'succeeded' | 'failed' | 'rejected' | 'timed-out' | 'expired';

export interface DeviceCommandRecord {
  readonly id: string;
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly actor: string;
  readonly queuedAt: string;
  /** After this, an undelivered command expires. */
  readonly expiresAt: string;
  readonly status: DeviceCommandStatus;
  /** The device's answer, or why there is none. */
  readonly result: Readonly<Record<string, unknown>> | null;
  readonly completedAt: string | null;
}

/** How many finished commands a twin keeps (newest); pending ones are always kept. */
export const FINISHED_COMMANDS_KEPT = 20;

export const isOpen = (c: DeviceCommandRecord) => c.status === 'pending' || c.status === 'sent';

/**
 * The outcome a gateway reports for a delivery; `expired` when the command's time-to-live ran
 * out while it waited on the connection (e.g. for the device to subscribe).
 */
export interface CommandOutcome {
  readonly status: 'succeeded' | 'failed' | 'rejected' | 'timed-out' | 'expired';
  readonly result: Readonly<Record<string, unknown>> | null;
}

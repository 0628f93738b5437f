/**
 * Commands in bulk: a fleet operation hands each gateway node one batch of commands for the
 * devices it holds (`deliverCommandBatch` on the node's task queue, `gateway.<nodeId>`), and the
 * gateway answers at once, per item, whether the command went to the device — it does not wait
 * for the device's answer, which it records in `rollout_devices` when it comes. No twin is
 * involved. gateway/commands implements it.
 */
export interface BatchCommand {
  /** The same for a retried delivery: the gateway sends a command id to a session once. */
  readonly commandId: string;
  /** A neutral command (`firmware-update`) or the device's own (`reboot`, an OCPP action). */
  readonly name: string;
  readonly params: Record<string, unknown>;
  /** How long the device has to answer. */
  readonly timeoutMs: number;
}

export interface CommandBatchItem {
  readonly deviceId: string;
  /** The connection the device's record names. */
  readonly sessionId: string;
  /** After this the command must not reach the device any more. */
  readonly expiresAt: string;
}

/** One command to many devices of one operation, all of one attempt. */
export interface CommandBatch {
  readonly tenantId: string;
  /** Where the gateway records each device's answer: this attempt's rollout_devices row. */
  readonly rolloutId: string;
  readonly attempt: number;
  readonly command: BatchCommand;
  readonly items: readonly CommandBatchItem[];
}

/** A batch for the gateway node that holds its devices. */
export interface NodeBatch {
  readonly node: string;
  readonly batch: CommandBatch;
}

/** Per item, in order: handed to the device, or the session is not (any more) on this node. */
export type BatchDelivery = 'handed' | 'not-connected';

export interface BatchDeliveryActivities {
  deliverCommandBatch(batch: CommandBatch): Promise<BatchDelivery[]>;
}

import type { DeviceCommand, DeviceTwinState } from '../../twins/device';
import type { Rejection } from '../../twins/errors';
import type { DeviceInput } from './messages';

const MAX_SENDERS = 64;

export interface Queued {
  readonly command: DeviceCommand;
  /** Set for commands that came as an update: the caller waits for the outcome. */
  readonly reply?: (outcome: DeviceTwinState | Rejection) => void;
}

/**
 * The twin's inbox: commands in arrival order, with replayed signal batches dropped. Senders
 * number their batches; the last number per sender is remembered (a bounded map, oldest
 * sender forgotten first) and carried across continue-as-new.
 */
export class CommandQueue {
  private readonly items: Queued[] = [];
  /** Taken by the twin and being applied (its projection may still be running). */
  private inProgress: Queued[] = [];
  private readonly lastBatches: Map<string, number>;

  constructor(
    pending: readonly DeviceCommand[] = [],
    lastBatches: Readonly<Record<string, number>> = {},
  ) {
    this.items.push(...pending.map((command) => ({ command })));
    this.lastBatches = new Map(Object.entries(lastBatches));
  }

  get length(): number {
    return this.items.length;
  }

  /** Returns false when the batch was seen before. */
  acceptBatch(input: DeviceInput): boolean {
    const last = this.lastBatches.get(input.sender);
    if (last !== undefined && input.batch <= last) return false;
    this.lastBatches.delete(input.sender);
    this.lastBatches.set(input.sender, input.batch);
    if (this.lastBatches.size > MAX_SENDERS)
      this.lastBatches.delete(this.lastBatches.keys().next().value!);
    for (const command of input.commands) this.items.push({ command });
    return true;
  }

  push(item: Queued): void {
    this.items.push(item);
  }

  /** The commands not yet applied to the twin's state, oldest first: in progress, then waiting. */
  peek(): readonly DeviceCommand[] {
    return [...this.inProgress, ...this.items].map((i) => i.command);
  }

  /** Takes every waiting command; they count as in progress until `done()`. */
  takeAll(): Queued[] {
    this.inProgress = this.items.splice(0);
    return this.inProgress;
  }

  done(): void {
    this.inProgress = [];
  }

  /** What continue-as-new carries over. Replies cannot cross runs: updates finish first. */
  snapshot() {
    return {
      pending: this.items.map((i) => i.command),
      lastBatches: Object.fromEntries(this.lastBatches),
    };
  }
}

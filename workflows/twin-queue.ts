import type { Rejection } from '../twins/errors';

const MAX_SENDERS = 64;

export interface Queued<Command, State> {
  readonly command: Command;
  /** Set for commands that came as an update: the caller waits for the outcome. */
  readonly reply?: (outcome: State | Rejection) => void;
  /** W3C trace context of the message that sent it (its batch's), when traced. */
  readonly traceparent?: string;
}

/** A numbered batch of commands from one sender (signals). */
export interface Batch<Command> {
  readonly sender: string;
  readonly batch: number;
  readonly commands: readonly Command[];
  /** W3C trace context of the message the batch comes from (tracing on). */
  readonly traceparent?: string;
}

/**
 * A twin's inbox: commands in arrival order, from signals and updates alike. Signal batches
 * are numbered by their sender and a replayed one is dropped; the last number per sender is
 * remembered (a bounded map, oldest sender forgotten first). Signals survive continue-as-new;
 * updates always finish before it.
 */
export class CommandQueue<Command, State> {
  private readonly items: Queued<Command, State>[] = [];
  /** Taken by the twin and being applied (its projection may still be running). */
  private inProgress: Queued<Command, State>[] = [];
  private readonly lastBatches: Map<string, number>;

  constructor(
    pending: readonly Command[] = [],
    lastBatches: Readonly<Record<string, number>> = {},
  ) {
    this.items.push(...pending.map((command) => ({ command })));
    this.lastBatches = new Map(Object.entries(lastBatches));
  }

  get length(): number {
    return this.items.length;
  }

  /** Returns false when the batch was seen before. */
  acceptBatch(input: Batch<Command>): boolean {
    const last = this.lastBatches.get(input.sender);
    if (last !== undefined && input.batch <= last) return false;
    this.lastBatches.delete(input.sender);
    this.lastBatches.set(input.sender, input.batch);
    if (this.lastBatches.size > MAX_SENDERS)
      this.lastBatches.delete(this.lastBatches.keys().next().value!);
    const { traceparent } = input;
    for (const command of input.commands)
      this.items.push(traceparent ? { command, traceparent } : { command });
    return true;
  }

  push(item: Queued<Command, State>): void {
    this.items.push(item);
  }

  /** The commands not yet applied to the twin's state, oldest first: in progress, then waiting. */
  peek(): readonly Command[] {
    return [...this.inProgress, ...this.items].map((i) => i.command);
  }

  /** Takes every waiting command; they count as in progress until `done()`. */
  takeAll(): Queued<Command, State>[] {
    this.inProgress = this.items.splice(0);
    return this.inProgress;
  }

  /**
   * The trace context of the newest traced command of a taken batch: the change the batch
   * makes belongs to that message's trace (docs/operations.md, "Traces").
   */
  static traceparentOf(
    items: ReadonlyArray<{ readonly traceparent?: string }>,
  ): string | undefined {
    return items.findLast((i) => i.traceparent)?.traceparent;
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

import { randomUUID } from 'node:crypto';

export type CallOutcome =
  { ok: true; payload: Record<string, unknown> } | { ok: false; code: string; description: string };

interface QueuedCall {
  action: string;
  payload: Record<string, unknown>;
  /** Sent before on a connection that dropped before the answer came. */
  resent: boolean;
  resolve(outcome: CallOutcome): void;
}

export interface ServerCallsOptions {
  /** Calls waiting beyond this many drop the oldest waiting one (answered `Dropped`). */
  limit?: number;
  /** Told of every change in the number of calls held (waiting or outstanding). */
  onDepth?(delta: number): void;
  /** Told when a call was answered (or timed out), and whether it had been sent before. */
  onSettled?(resent: boolean): void;
  /** Told when a call was dropped because the queue was full. */
  onDropped?(): void;
}

/**
 * OCPP-J CALLs in one direction of one connection, one outstanding at a time: the next is
 * sent when the peer answered the last, or when it timed out. Calls wait while the queue is
 * paused — a station before its boot is accepted, an upstream backend that is unreachable;
 * `pause({ resend: true })` puts a call whose answer was lost back at the head.
 */
export class ServerCalls {
  private readonly waiting: QueuedCall[] = [];
  private outstanding: (QueuedCall & { id: string; timer: NodeJS.Timeout }) | null = null;
  private paused = true;
  private stopped = false;

  constructor(
    private readonly send: (frame: [2, string, string, Record<string, unknown>]) => void,
    private readonly timeoutMs: number,
    private readonly opts: ServerCallsOptions = {},
  ) {}

  /** Resolves with the peer's answer, a timeout or the connection's end; never rejects. */
  call(action: string, payload: Record<string, unknown>): Promise<CallOutcome> {
    return this.enqueue(action, payload, 'last');
  }

  /** Like `call`, ahead of every waiting call (not of the outstanding one). */
  callFirst(action: string, payload: Record<string, unknown>): Promise<CallOutcome> {
    return this.enqueue(action, payload, 'first');
  }

  /** The action that goes (or went) out next: the outstanding call's, else the first waiting. */
  get head(): string | undefined {
    return (this.outstanding ?? this.waiting[0])?.action;
  }

  resume(): void {
    this.paused = false;
    this.next();
  }

  /**
   * Holds further calls. With `resend`, the outstanding call (its connection is gone, so its
   * answer will not come) goes back to the head, to be sent again on resume.
   */
  pause(options: { resend?: boolean } = {}): void {
    this.paused = true;
    const current = this.outstanding;
    if (!options.resend || !current) return;
    clearTimeout(current.timer);
    this.outstanding = null;
    this.waiting.unshift({ ...current, resent: true });
  }

  /** A CALLRESULT or CALLERROR from the peer; false when it answers no call of ours. */
  settle(id: string, outcome: CallOutcome): boolean {
    const current = this.outstanding;
    if (!current || current.id !== id) return false;
    clearTimeout(current.timer);
    this.outstanding = null;
    this.opts.onDepth?.(-1);
    this.opts.onSettled?.(current.resent);
    current.resolve(outcome);
    this.next();
    return true;
  }

  /** The connection is gone for good: every call still queued or outstanding ends unanswered. */
  stop(): void {
    this.stopped = true;
    const ended: CallOutcome = { ok: false, code: 'Closed', description: 'connection closed' };
    if (this.outstanding) {
      clearTimeout(this.outstanding.timer);
      this.outstanding.resolve(ended);
      this.outstanding = null;
      this.opts.onDepth?.(-1);
    }
    this.opts.onDepth?.(-this.waiting.length);
    for (const call of this.waiting.splice(0)) call.resolve(ended);
  }

  get pending(): number {
    return this.waiting.length + (this.outstanding ? 1 : 0);
  }

  private enqueue(
    action: string,
    payload: Record<string, unknown>,
    where: 'first' | 'last',
  ): Promise<CallOutcome> {
    if (this.stopped)
      return Promise.resolve({ ok: false, code: 'Closed', description: 'connection closed' });
    return new Promise((resolve) => {
      const call = { action, payload, resent: false, resolve };
      if (where === 'first') this.waiting.unshift(call);
      else this.waiting.push(call);
      this.opts.onDepth?.(1);
      // A call put first (a backend link's priming boot) never pushes another out.
      if (
        where === 'last' &&
        this.opts.limit !== undefined &&
        this.waiting.length > this.opts.limit
      ) {
        const dropped = this.waiting.shift()!;
        this.opts.onDepth?.(-1);
        this.opts.onDropped?.();
        dropped.resolve({ ok: false, code: 'Dropped', description: 'queue full' });
      }
      this.next();
    });
  }

  private next(): void {
    if (this.paused || this.stopped || this.outstanding) return;
    const call = this.waiting.shift();
    if (!call) return;
    const id = randomUUID();
    const timer = setTimeout(
      () =>
        this.settle(id, {
          ok: false,
          code: 'Timeout',
          description: `no answer within ${this.timeoutMs} ms`,
        }),
      this.timeoutMs,
    );
    this.outstanding = { ...call, id, timer };
    this.send([2, id, call.action, call.payload]);
  }
}

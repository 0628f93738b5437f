import { randomUUID } from 'node:crypto';

export type CallOutcome =
  { ok: true; payload: Record<string, unknown> } | { ok: false; code: string; description: string };

interface QueuedCall {
  action: string;
  payload: Record<string, unknown>;
  resolve(outcome: CallOutcome): void;
}

/**
 * The server's own CALLs to one station, one at a time (OCPP-J: one outstanding CALL per
 * direction): the next is sent when the station answered the last, or when it timed out.
 * Calls wait while the queue is paused (before the station's boot is accepted).
 */
export class ServerCalls {
  private readonly waiting: QueuedCall[] = [];
  private outstanding: (QueuedCall & { id: string; timer: NodeJS.Timeout }) | null = null;
  private paused = true;
  private stopped = false;

  constructor(
    private readonly send: (frame: [2, string, string, Record<string, unknown>]) => void,
    private readonly timeoutMs: number,
  ) {}

  /** Resolves with the station's answer, a timeout or the connection's end; never rejects. */
  call(action: string, payload: Record<string, unknown>): Promise<CallOutcome> {
    if (this.stopped)
      return Promise.resolve({ ok: false, code: 'Closed', description: 'connection closed' });
    return new Promise((resolve) => {
      this.waiting.push({ action, payload, resolve });
      this.next();
    });
  }

  resume(): void {
    this.paused = false;
    this.next();
  }

  /** A CALLRESULT or CALLERROR from the station; false when it answers no call of ours. */
  settle(id: string, outcome: CallOutcome): boolean {
    const current = this.outstanding;
    if (!current || current.id !== id) return false;
    clearTimeout(current.timer);
    this.outstanding = null;
    current.resolve(outcome);
    this.next();
    return true;
  }

  /** The connection is gone: every call still queued or outstanding ends unanswered. */
  stop(): void {
    this.stopped = true;
    const ended: CallOutcome = { ok: false, code: 'Closed', description: 'connection closed' };
    if (this.outstanding) {
      clearTimeout(this.outstanding.timer);
      this.outstanding.resolve(ended);
      this.outstanding = null;
    }
    for (const call of this.waiting.splice(0)) call.resolve(ended);
  }

  get pending(): number {
    return this.waiting.length + (this.outstanding ? 1 : 0);
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

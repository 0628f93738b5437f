import { randomUUID } from 'node:crypto';
import type { CommandOutcome } from '../../twins/device';

const STATUS = { accepted: 'succeeded', rejected: 'rejected', failed: 'failed' } as const;

/** Commands sent on one JSON connection, waiting for the device's command-result by id. */
export class PendingCommands {
  /** Made with the first command: most connections never get one (memory per connection). */
  private waitingMap: Map<
    string,
    { resolve: (o: CommandOutcome) => void; timer: NodeJS.Timeout }
  > | null = null;

  private get waiting() {
    return (this.waitingMap ??= new Map());
  }

  /** Sends a command with a fresh id; resolves with the answer, a timeout or the connection's end. */
  send(deliver: (id: string) => void, timeoutMs: number): Promise<CommandOutcome> {
    const id = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ status: 'timed-out', result: { reason: `no answer within ${timeoutMs} ms` } });
      }, timeoutMs);
      this.waiting.set(id, { resolve, timer });
      deliver(id);
    });
  }

  /** False when no command with this id is waiting (late, duplicate or unknown). */
  answer(
    id: string,
    status: keyof typeof STATUS,
    result: Record<string, unknown> | undefined,
  ): boolean {
    const entry = this.waiting.get(id);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.waiting.delete(id);
    entry.resolve({ status: STATUS[status], result: result ?? null });
    return true;
  }

  /** The connection is gone: no answer will come. */
  closeAll(): void {
    for (const [id, entry] of this.waitingMap ?? []) {
      clearTimeout(entry.timer);
      entry.resolve({
        status: 'failed',
        result: { reason: 'connection closed before the device answered' },
      });
      this.waiting.delete(id);
    }
  }
}

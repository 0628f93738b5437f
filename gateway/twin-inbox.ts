import type { DeviceCommand } from '../twins/device';
import { deviceWorkflowId, type DeviceKey } from '../twins/ids';

import type { DeviceInput } from '../workflows/device-twin/messages';

type Send = (key: DeviceKey, input: DeviceInput) => Promise<void>;

interface Pending {
  command: DeviceCommand;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces commands per device: while one signal to a twin is in flight, later commands
 * wait and leave together as the next batch. A twin thus sees few, larger signals however
 * chatty its device is, and each caller learns when its own command was accepted.
 */
export class TwinInbox {
  private readonly queues = new Map<string, { key: DeviceKey; waiting: Pending[] }>();
  private inFlight = 0;
  /** Batch numbers only grow within this sender, so a twin can drop a retried batch. */
  private batch = 0;
  private idle: (() => void) | null = null;

  constructor(
    private readonly sender: string,
    private readonly send: Send,
  ) {}

  submit(key: DeviceKey, command: DeviceCommand): Promise<void> {
    return new Promise((resolve, reject) => {
      const id = deviceWorkflowId(key);
      const queue = this.queues.get(id);
      if (queue) {
        queue.waiting.push({ command, resolve, reject });
        return;
      }
      this.queues.set(id, { key, waiting: [] });
      void this.flush(id, [{ command, resolve, reject }]);
    });
  }

  /** Resolves when nothing is in flight (for shutdown). */
  async drained(): Promise<void> {
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => (this.idle = resolve));
  }

  private async flush(id: string, batch: Pending[]): Promise<void> {
    const queue = this.queues.get(id)!;
    this.inFlight++;
    try {
      await this.send(queue.key, {
        sender: this.sender,
        batch: ++this.batch,
        commands: batch.map((p) => p.command),
      });
      for (const p of batch) p.resolve();
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      this.inFlight--;
    }
    const next = queue.waiting.splice(0);
    if (next.length > 0) return this.flush(id, next);
    this.queues.delete(id);
    if (this.inFlight === 0 && this.idle) {
      this.idle();
      this.idle = null;
    }
  }
}

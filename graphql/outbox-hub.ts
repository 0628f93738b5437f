import { EventEmitter, on } from 'node:events';
import type { OutboxEntry } from '../db/outbox-reader';

/** One subscription's view of the hub: entries in order, and how far behind it is. */
export interface OutboxFollower {
  /** The next entry, or null once the follow was aborted. */
  next(): Promise<OutboxEntry | null>;
  /** Entries published to this follower and not yet taken. */
  lag(): number;
}

/**
 * This process's copy of the outbox, as OutboxFeed reads it: every subscription of the process
 * follows it. A follower buffers from the moment `follow` returns, which is what lets a
 * resuming subscription replay from PostgreSQL without missing what arrives meanwhile.
 */
export class OutboxHub {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(entry: OutboxEntry): void {
    this.emitter.emit('entry', entry);
  }

  /** Every entry published from now on, in order, until `signal` aborts. */
  follow(signal: AbortSignal): OutboxFollower {
    // `on` attaches its listener now, not at the first read: nothing published after this
    // line is missed.
    const entries = on(this.emitter, 'entry', { signal });
    let published = 0;
    let taken = 0;
    const count = () => void published++;
    this.emitter.on('entry', count);
    signal.addEventListener('abort', () => this.emitter.off('entry', count), { once: true });
    return {
      lag: () => published - taken,
      async next() {
        try {
          const result = await entries.next();
          if (result.done) return null;
          taken++;
          return (result.value as [OutboxEntry])[0];
        } catch (error) {
          if (signal.aborted) return null;
          throw error;
        }
      },
    };
  }
}

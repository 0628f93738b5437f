import { describe, expect, it } from 'vitest';
import { wakeableWait } from './wakeable-wait';

describe('wakeableWait', () => {
  it('ends at its time without a wake', async () => {
    const w = wakeableWait();
    let done = false;
    const waiting = w.wait(5).then(() => (done = true));
    expect(done).toBe(false);
    await waiting;
    expect(done).toBe(true);
  });

  it('ends at once when woken, and a wake while nobody waits is dropped', async () => {
    const w = wakeableWait();
    w.wake(); // nobody waits: nothing to cut short
    let done = false;
    const waiting = w.wait(3_600_000).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    w.wake();
    await waiting;
    expect(done).toBe(true);
    // The next wait is not ended by the wake that ended the last one.
    let again = false;
    const next = w.wait(20).then(() => (again = true));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(again).toBe(false);
    await next;
    expect(again).toBe(true);
  });
});

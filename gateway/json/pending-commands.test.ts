import { describe, expect, it } from 'vitest';
import { PendingCommands } from './pending-commands';

describe('pending JSON commands', () => {
  it('times out an unanswered command and ignores its late answer', async () => {
    const pending = new PendingCommands();
    let sentId = '';
    const outcome = await pending.send((id) => (sentId = id), 20);
    expect(outcome).toEqual({ status: 'timed-out', result: { reason: 'no answer within 20 ms' } });
    expect(pending.answer(sentId, 'accepted', {})).toBe(false);
  });

  it.each([
    ['accepted', 'succeeded'],
    ['rejected', 'rejected'],
    ['failed', 'failed'],
  ] as const)('maps the device answer %s to %s', async (answer, status) => {
    const pending = new PendingCommands();
    const outcome = pending.send(
      (id) => queueMicrotask(() => pending.answer(id, answer, { x: 1 })),
      1_000,
    );
    expect(await outcome).toEqual({ status, result: { x: 1 } });
  });
});

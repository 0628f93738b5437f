import { describe, expect, it } from 'vitest';
import { ServerCalls } from './server-calls';

type Sent = [2, string, string, Record<string, unknown>];

function queue(timeoutMs = 1_000) {
  const sent: Sent[] = [];
  const calls = new ServerCalls((frame) => sent.push(frame), timeoutMs);
  return { sent, calls };
}

describe('ServerCalls', () => {
  it('holds calls until resumed, then sends one at a time in order', async () => {
    const { sent, calls } = queue();
    const first = calls.call('ChangeConfiguration', { key: 'A', value: '1' });
    const second = calls.call('ChangeConfiguration', { key: 'B', value: '2' });
    expect(sent).toEqual([]);
    calls.resume();
    expect(sent.map((f) => f[3].key)).toEqual(['A']);
    expect(calls.settle('not-ours', { ok: true, payload: {} })).toBe(false);
    expect(calls.settle(sent[0]![1], { ok: true, payload: { status: 'Accepted' } })).toBe(true);
    expect(await first).toEqual({ ok: true, payload: { status: 'Accepted' } });
    expect(sent.map((f) => f[3].key)).toEqual(['A', 'B']);
    calls.settle(sent[1]![1], { ok: false, code: 'NotSupported', description: '' });
    expect(await second).toMatchObject({ ok: false, code: 'NotSupported' });
    expect(calls.pending).toBe(0);
  });

  it('gives up on an unanswered call after the timeout and sends the next', async () => {
    const { sent, calls } = queue(50);
    calls.resume();
    const first = calls.call('SetVariables', { n: 1 });
    void calls.call('SetVariables', { n: 2 });
    expect(await first).toMatchObject({ ok: false, code: 'Timeout' });
    expect(sent.map((f) => f[3].n)).toEqual([1, 2]);
    // A late answer to the timed-out call settles nothing.
    expect(calls.settle(sent[0]![1], { ok: true, payload: {} })).toBe(false);
  });

  it('ends every queued and outstanding call when the connection closes', async () => {
    const { calls } = queue();
    calls.resume();
    const outstanding = calls.call('A', {});
    const queued = calls.call('B', {});
    calls.stop();
    expect(await outstanding).toMatchObject({ ok: false, code: 'Closed' });
    expect(await queued).toMatchObject({ ok: false, code: 'Closed' });
    expect(await calls.call('C', {})).toMatchObject({ ok: false, code: 'Closed' });
  });
});

describe('ServerCalls as an upstream buffer', () => {
  function buffer(limit: number) {
    const sent: Sent[] = [];
    const seen = { depth: 0, dropped: 0, resent: [] as boolean[] };
    const calls = new ServerCalls((frame) => sent.push(frame), 1_000, {
      limit,
      onDepth: (d) => (seen.depth += d),
      onSettled: (r) => seen.resent.push(r),
      onDropped: () => seen.dropped++,
    });
    const answer = (i: number, payload: Record<string, unknown> = {}) =>
      calls.settle(sent[i]![1], { ok: true, payload });
    return { sent, seen, calls, answer };
  }

  it('sends a call whose connection dropped again first, after a call put first', async () => {
    const { sent, seen, calls, answer } = buffer(10);
    calls.resume();
    const a = calls.call('A', {});
    calls.pause({ resend: true }); // the link dropped with A unanswered
    const b = calls.call('B', {});
    expect(calls.head).toBe('A');
    void calls.callFirst('Boot', {});
    expect(calls.head).toBe('Boot');
    expect(seen.depth).toBe(3);
    calls.resume();
    answer(1);
    answer(2, { n: 1 });
    answer(3, { n: 2 });
    expect(await a).toEqual({ ok: true, payload: { n: 1 } });
    expect(await b).toEqual({ ok: true, payload: { n: 2 } });
    expect(sent.map((f) => f[2])).toEqual(['A', 'Boot', 'A', 'B']);
    expect(seen.resent).toEqual([false, true, false]);
    expect(seen.depth).toBe(0);
  });

  it('drops the oldest waiting call when full, never the one in flight', async () => {
    const { sent, seen, calls, answer } = buffer(2);
    calls.resume();
    const a = calls.call('A', {}); // in flight
    const b = calls.call('B', {});
    const c = calls.call('C', {});
    const d = calls.call('D', {}); // B, C, D waiting: one too many
    expect(await b).toMatchObject({ ok: false, code: 'Dropped' });
    expect(seen).toMatchObject({ dropped: 1, depth: 3 });
    answer(0);
    answer(1);
    answer(2);
    expect(await Promise.all([a, c, d])).toHaveLength(3);
    expect(sent.map((f) => f[2])).toEqual(['A', 'C', 'D']);
    expect(seen.depth).toBe(0);
  });
});

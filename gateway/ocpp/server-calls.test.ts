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

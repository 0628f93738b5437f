import { describe, expect, it } from 'vitest';
import type { DeviceCommand } from './commands';
import { FINISHED_COMMANDS_KEPT } from './commands-queue';
import { nextCommandExpiry } from './decide-commands';
import { aDevice, at, run } from './test-builders';

const queue = (
  id: string,
  extra: Partial<Extract<DeviceCommand, { type: 'queue-command' }>> = {},
): DeviceCommand => ({
  type: 'queue-command',
  at: at(0),
  actor: 'ops',
  id,
  name: 'Reset',
  params: { type: 'Soft' },
  ttlMs: 60_000,
  ...extra,
});
const answered = (id: string, status: 'succeeded' | 'rejected' = 'succeeded'): DeviceCommand => ({
  type: 'command-answered',
  at: at(5),
  id,
  outcome: { status, result: { status: 'Accepted' } },
});

describe('device commands', () => {
  it('queues a command once per id, then follows it to its answer', () => {
    const { state } = run(
      [queue('c1'), queue('c1'), { type: 'command-sent', at: at(1), id: 'c1' }, answered('c1')],
      aDevice(),
    );
    expect(state.commands).toEqual([
      expect.objectContaining({
        id: 'c1',
        status: 'succeeded',
        result: { status: 'Accepted' },
        completedAt: at(5),
        expiresAt: at(60),
      }),
    ]);
  });

  it.each([
    {
      name: 'an invalid name',
      cmd: queue('c', { name: '9 lives' }),
      code: 'twin:command.invalid-name',
    },
    {
      name: 'a time-to-live under a second',
      cmd: queue('c', { ttlMs: 10 }),
      code: 'twin:command.invalid-ttl',
    },
    {
      name: 'a time-to-live over a week',
      cmd: queue('c', { ttlMs: 8 * 24 * 3600_000 }),
      code: 'twin:command.invalid-ttl',
    },
  ])('refuses $name', ({ cmd, code }) => {
    expect(run([cmd], aDevice()).rejections).toEqual([code]);
  });

  it('refuses commands for a retired device', () => {
    expect(run([queue('c')], aDevice({ lifecycleState: 'retired' })).rejections).toEqual([
      'twin:device.closed',
    ]);
  });

  it('a command returned undelivered waits again; only pending commands expire', () => {
    const start = run(
      [queue('a'), queue('b'), { type: 'command-sent', at: at(1), id: 'a' }],
      aDevice(),
    ).state;
    const returned = run([{ type: 'command-returned', at: at(2), id: 'a' }], start).state;
    expect(returned.commands.map((c) => c.status)).toEqual(['pending', 'pending']);
    expect(nextCommandExpiry(returned)).toBe(at(60));
    const sentAgain = run(
      [
        { type: 'command-sent', at: at(3), id: 'a' },
        { type: 'expire-commands', at: at(61) },
      ],
      returned,
    ).state;
    expect(sentAgain.commands.map((c) => [c.id, c.status])).toEqual([
      ['a', 'sent'],
      ['b', 'expired'],
    ]);
    expect(run([{ type: 'expire-commands', at: at(59) }], returned).events).toEqual([]);
  });

  it('an answer to an unknown or finished command changes nothing', () => {
    const done = run([queue('a'), answered('a')], aDevice()).state;
    expect(run([answered('a', 'rejected'), answered('zzz')], done).events).toEqual([]);
  });

  it(`keeps open commands and the newest ${FINISHED_COMMANDS_KEPT} finished ones`, () => {
    const many = Array.from({ length: FINISHED_COMMANDS_KEPT + 5 }, (_, i) => [
      queue(`c${i}`),
      answered(`c${i}`),
    ]).flat();
    const { state } = run([...many, queue('open')], aDevice());
    expect(state.commands).toHaveLength(FINISHED_COMMANDS_KEPT + 1);
    expect(state.commands[0]!.id).toBe('c5');
    expect(state.commands.at(-1)).toMatchObject({ id: 'open', status: 'pending' });
  });
});

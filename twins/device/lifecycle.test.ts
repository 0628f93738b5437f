import { describe, expect, it } from 'vitest';
import type { DeviceCommand } from './commands';
import { LIFECYCLE_STATES, type LifecycleState } from './state';
import { aDevice, at, run } from './test-builders';

/**
 * The transition matrix written out independently of the implementation's table:
 * row = from, columns in LIFECYCLE_STATES order (provisioned, active, inactive, maintenance, replaced, retired).
 */
const MATRIX: Record<LifecycleState, string> = {
  provisioned: '-  y  n  n  n  y',
  active: '     n  -  y  y  y  y',
  inactive: '   n  y  -  y  y  y',
  maintenance: 'n  y  y  -  y  y',
  replaced: '   n  n  n  n  -  y',
  retired: '    n  n  n  n  n  -',
};

const cases = LIFECYCLE_STATES.flatMap((from) => {
  const marks = MATRIX[from].trim().split(/\s+/);
  return LIFECYCLE_STATES.map((to, i) => ({ from, to, mark: marks[i]! })).filter(
    (c) => c.mark !== '-',
  );
});

const transition = (to: LifecycleState, extra: Partial<DeviceCommand> = {}): DeviceCommand =>
  ({
    type: 'transition',
    at: at(50),
    to,
    actor: 'ops:bob',
    reason: 'ticket 42',
    replacedBy: 'c-18',
    ...extra,
  }) as DeviceCommand;

describe('device lifecycle transitions', () => {
  it('covers every pair of distinct states', () => {
    expect(cases).toHaveLength(LIFECYCLE_STATES.length * (LIFECYCLE_STATES.length - 1));
  });

  it.each(cases)('$from → $to: $mark', ({ from, to, mark }) => {
    const { state, rejections, events } = run([transition(to)], aDevice({ lifecycleState: from }));
    if (mark === 'y') {
      expect(rejections).toEqual([]);
      expect(state.lifecycle).toEqual({
        state: to,
        at: at(50),
        actor: 'ops:bob',
        reason: 'ticket 42',
        replacedBy: to === 'replaced' ? 'c-18' : null,
      });
      expect(events).toHaveLength(1);
    } else {
      expect(rejections).toEqual(['twin:lifecycle.transition-not-allowed']);
      expect(state.lifecycle.state).toBe(from);
    }
  });

  it('a transition to the current state records nothing (a retried command)', () => {
    expect(
      run([transition('maintenance')], aDevice({ lifecycleState: 'maintenance' })).events,
    ).toEqual([]);
  });

  it.each([
    {
      name: 'an empty reason',
      cmd: transition('inactive', { reason: '  ' }),
      code: 'twin:lifecycle.reason-required',
    },
    {
      name: 'replaced without a successor',
      cmd: transition('replaced', { replacedBy: undefined }),
      code: 'twin:lifecycle.replacement-required',
    },
    {
      name: 'replaced by itself',
      cmd: transition('replaced', { replacedBy: 'c-17' }),
      code: 'twin:lifecycle.replacement-required',
    },
  ])('refuses $name', ({ cmd, code }) => {
    expect(run([cmd], aDevice({ lifecycleState: 'active' })).rejections).toEqual([code]);
  });

  const online = (lifecycleState: LifecycleState) => {
    const d = aDevice({ lifecycleState });
    return aDevice({
      lifecycleState,
      connectivity: { ...d.connectivity, status: 'online', sessionId: 's1', gatewayNode: 'gw' },
    });
  };

  it.each([
    {
      from: 'active',
      to: 'maintenance',
      online: false,
      effects: ['mute-alarms', 'exclude-from-rollouts'],
    },
    {
      from: 'maintenance',
      to: 'active',
      online: false,
      effects: ['unmute-alarms', 'include-in-rollouts'],
    },
    {
      from: 'maintenance',
      to: 'inactive',
      online: false,
      effects: ['unmute-alarms', 'include-in-rollouts'],
    },
    { from: 'active', to: 'inactive', online: true, effects: [] },
    {
      from: 'active',
      to: 'retired',
      online: true,
      effects: ['revoke-credentials', 'close-connection'],
    },
    { from: 'active', to: 'retired', online: false, effects: ['revoke-credentials'] },
    {
      from: 'maintenance',
      to: 'replaced',
      online: true,
      effects: ['revoke-credentials', 'close-connection'],
    },
    { from: 'replaced', to: 'retired', online: false, effects: [] },
    { from: 'provisioned', to: 'retired', online: false, effects: ['revoke-credentials'] },
  ] as const)(
    '$from → $to (online: $online) sets in motion $effects',
    ({ from, to, online: isOnline, effects }) => {
      const start = isOnline ? online(from) : aDevice({ lifecycleState: from });
      const { events } = run([transition(to)], start);
      expect(events).toEqual([
        expect.objectContaining({ type: 'lifecycle-changed', from, to, effects }),
      ]);
    },
  );
});

describe('optimistic concurrency of transitions', () => {
  it.each([
    { expectedVersion: 1, applied: true },
    { expectedVersion: 0, applied: false },
    { expectedVersion: undefined, applied: true },
  ])(
    'expected version $expectedVersion on a twin at version 1: applied $applied',
    ({ expectedVersion, applied }) => {
      const cmd = {
        type: 'transition',
        at: at(9),
        to: 'inactive',
        actor: 'ops',
        reason: 'x',
        expectedVersion,
      } as const;
      const { rejections, state } = run([cmd], aDevice({ lifecycleState: 'active', version: 1 }));
      expect(rejections).toEqual(applied ? [] : ['twin:device.version-conflict']);
      expect(state.lifecycle.state).toBe(applied ? 'inactive' : 'active');
    },
  );
});

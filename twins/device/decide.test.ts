import { describe, expect, it } from 'vitest';
import type { DeviceCommand } from './commands';
import { aDevice, at, connect, disconnect, report, run } from './test-builders';

describe('device twin: connection and reported state', () => {
  it('first connection activates a provisioned device and marks it online', () => {
    const { state, events } = run([connect('s1')]);
    expect(state.lifecycle).toMatchObject({
      state: 'active',
      actor: 'device',
      reason: 'first connection',
    });
    expect(state.connectivity).toMatchObject({ status: 'online', since: at(1), sessionId: 's1' });
    expect(events.map((e) => e.type)).toEqual(['lifecycle-changed', 'connected']);
  });

  it('leaves activation to the provisioning workflow watching a device, until it activates it', () => {
    const watch = { watcher: 'provision:t:SN-1', fields: ['config.interval'] };
    const { state } = run([
      { type: 'register', at: at(0), actor: 'api', activation: watch },
      connect('s1'),
    ]);
    expect(state.lifecycle.state).toBe('provisioned');
    expect(state.activation).toEqual(watch);
    expect(state.connectivity.status).toBe('online');
    const active = run(
      [{ type: 'transition', at: at(3), to: 'active', actor: 'provisioning', reason: 'verified' }],
      state,
    ).state;
    expect(active.lifecycle.state).toBe('active');
    expect(active.activation).toBeNull();
  });

  it('records the protocol a device speaks and keeps it known while it is offline', () => {
    const { state } = run([
      { ...connect('s1'), protocol: 'ocpp2.0.1' } as DeviceCommand,
      disconnect('s1', 2),
      { type: 'grace-expired', at: at(100) },
    ]);
    expect(state.connectivity).toMatchObject({ status: 'offline', protocol: 'ocpp2.0.1' });
  });

  it('a repeated connect of the same session records nothing', () => {
    expect(run([connect('s1'), connect('s1')]).state.version).toBe(2);
  });

  it('merges reported state, deletes keys set to null and ignores unchanged values', () => {
    const { state } = run([
      connect('s1'),
      report('s1', 2, { temperature: 21.5, door: 'closed', meta: { a: 1 } }),
      report('s1', 3, { temperature: 21.5, door: null, meta: { a: 1 }, humidity: 40 }),
    ]);
    expect(state.shadow.reported).toEqual({ temperature: 21.5, meta: { a: 1 }, humidity: 40 });
    expect(state.version).toBe(4);
  });

  it('applies a retried report once', () => {
    const once = run([connect('s1'), report('s1', 2, { power: 7 })]).state;
    const twice = run([report('s1', 2, { power: 9 })], once).state;
    expect(twice.shadow.reported).toEqual({ power: 7 });
    expect(twice.version).toBe(once.version);
  });

  it('refuses a report from a session that is not open', () => {
    const { rejections, state } = run([connect('s1'), report('old', 5, { power: 1 })]);
    expect(rejections).toEqual(['twin:device.unknown-session']);
    expect(state.shadow.reported).toEqual({});
  });

  it.each(['replaced', 'retired'] as const)(
    'refuses connections and reports of a %s device',
    (lifecycleState) => {
      const closed = aDevice({ lifecycleState });
      expect(run([connect('s1')], closed).rejections).toEqual(['twin:device.closed']);
      const wasOnline = aDevice({
        lifecycleState,
        connectivity: { ...closed.connectivity, status: 'online', sessionId: 's1' },
      });
      expect(run([report('s1', 2, { a: 1 })], wasOnline).rejections).toEqual([
        'twin:device.closed',
      ]);
    },
  );

  it('records who registered a device and keeps the registration idempotent', () => {
    const register = {
      type: 'register',
      at: at(0),
      actor: 'api:alice',
      model: 'wallbox-x',
    } as const;
    const { state } = run([register, register]);
    expect(state.lifecycle).toMatchObject({ state: 'provisioned', actor: 'api:alice' });
    expect(state.model).toBe('wallbox-x');
    expect(state.version).toBe(1);
  });
});

describe('device twin: offline grace period', () => {
  const grace = { offlineGraceMs: 10_000 };

  it.each([
    {
      name: 'a lost connection stays online during the grace period',
      commands: [connect('s1'), disconnect('s1', 5)],
      want: {
        status: 'online',
        reason: null,
        since: at(1),
        pending: true,
        kinds: ['connection-lost'],
      },
    },
    {
      name: 'a timer before the deadline changes nothing',
      commands: [
        connect('s1'),
        disconnect('s1', 5),
        { type: 'grace-expired', at: at(14) } as const,
      ],
      want: {
        status: 'online',
        reason: null,
        since: at(1),
        pending: true,
        kinds: ['connection-lost'],
      },
    },
    {
      name: 'at the deadline the device goes offline, since the moment the connection was lost',
      commands: [
        connect('s1'),
        disconnect('s1', 5),
        { type: 'grace-expired', at: at(15) } as const,
      ],
      want: {
        status: 'offline',
        reason: 'disconnected',
        since: at(5),
        pending: false,
        kinds: ['connection-lost', 'disconnected'],
      },
    },
    {
      name: 'a reconnect within the grace period resumes without an offline/online pair',
      commands: [
        connect('s1'),
        disconnect('s1', 5),
        connect('s2', 8),
        { type: 'grace-expired', at: at(20) } as const,
      ],
      want: {
        status: 'online',
        reason: null,
        since: at(1),
        pending: false,
        kinds: ['connection-lost', 'connected'],
      },
    },
    {
      name: 'a late disconnect of an older session leaves the new session online',
      commands: [connect('s1'), connect('s2', 2), disconnect('s1', 5)],
      want: { status: 'online', reason: null, since: at(2), pending: false, kinds: ['connected'] },
    },
    {
      name: 'a reconnect after the deadline is a new connection',
      commands: [
        connect('s1'),
        disconnect('s1', 5),
        { type: 'grace-expired', at: at(16) } as const,
        connect('s2', 30),
      ],
      want: {
        status: 'online',
        reason: null,
        since: at(30),
        pending: false,
        kinds: ['connection-lost', 'disconnected', 'connected'],
      },
    },
  ])('$name', ({ commands, want }) => {
    const first = run([commands[0]!], undefined, grace);
    const { state, events } = run(commands.slice(1), first.state, grace);
    expect(state.connectivity.status).toBe(want.status);
    expect(state.connectivity.reason).toBe(want.reason);
    expect(state.connectivity.since).toBe(want.since);
    expect(state.connectivity.pendingOffline !== null).toBe(want.pending);
    expect(events.map((e) => e.type)).toEqual(want.kinds);
  });

  it('marks a resumed connection as such', () => {
    const { events } = run(
      [connect('s1'), disconnect('s1', 5), connect('s2', 8)],
      undefined,
      grace,
    );
    expect(events.at(-1)).toMatchObject({ type: 'connected', resumed: true });
  });

  it('without a grace period a disconnect is offline at once', () => {
    const { state } = run([connect('s1'), disconnect('s1', 5)], undefined, { offlineGraceMs: 0 });
    expect(state.connectivity).toMatchObject({
      status: 'offline',
      reason: 'disconnected',
      since: at(5),
    });
  });
});

import { describe, expect, it } from 'vitest';
import { isRejection } from '../errors';
import type { DeviceCommand } from './commands';
import { decide } from './decide';
import { evolveAll } from './evolve';
import { initialDeviceState, type DeviceTwinState } from './state';

const key = { tenantId: 'acme', deviceId: 'c-17' };
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

/** Runs commands through decide/evolve the way the workflow does, keeping rejections. */
function run(commands: DeviceCommand[], start: DeviceTwinState = initialDeviceState(key)) {
  let state = start;
  const rejections: string[] = [];
  for (const cmd of commands) {
    const out = decide(state, cmd);
    if (isRejection(out)) rejections.push(out.code);
    else state = evolveAll(state, out);
  }
  return { state, rejections };
}

const connect = (sessionId: string, s = 1): DeviceCommand => ({
  type: 'connect',
  at: at(s),
  sessionId,
  gatewayNode: 'gw-1',
  seq: 1,
  model: 'wallbox-x',
  firmware: '1.0.0',
});
const report = (sessionId: string, seq: number, state: Record<string, unknown>): DeviceCommand => ({
  type: 'report',
  at: at(10 + seq),
  sessionId,
  seq,
  state,
});

describe('device twin', () => {
  it.each([
    {
      name: 'first connection activates a provisioned device and marks it online',
      commands: [connect('s1')],
      expect: { lifecycle: 'active', status: 'online', version: 2 },
    },
    {
      name: 'a disconnect of the open session marks it offline with the reason',
      commands: [
        connect('s1'),
        { type: 'disconnect', at: at(5), sessionId: 's1', reason: 'disconnected' } as const,
      ],
      expect: { lifecycle: 'active', status: 'offline', version: 3 },
    },
    {
      name: 'a late disconnect of an older session leaves the new session online',
      commands: [
        connect('s1'),
        connect('s2', 2),
        { type: 'disconnect', at: at(5), sessionId: 's1', reason: 'disconnected' } as const,
      ],
      expect: { lifecycle: 'active', status: 'online', version: 3 },
    },
    {
      name: 'a repeated connect of the same session records nothing',
      commands: [connect('s1'), connect('s1')],
      expect: { lifecycle: 'active', status: 'online', version: 2 },
    },
  ])('$name', ({ commands, expect: want }) => {
    const { state } = run(commands);
    expect(state.lifecycle.state).toBe(want.lifecycle);
    expect(state.connectivity.status).toBe(want.status);
    expect(state.version).toBe(want.version);
  });

  it('merges reported state, deletes keys set to null and ignores unchanged values', () => {
    const { state } = run([
      connect('s1'),
      report('s1', 2, { temperature: 21.5, door: 'closed', meta: { a: 1 } }),
      report('s1', 3, { temperature: 21.5, door: null, meta: { a: 1 }, humidity: 40 }),
    ]);
    expect(state.reported).toEqual({ temperature: 21.5, meta: { a: 1 }, humidity: 40 });
    expect(state.version).toBe(4);
  });

  it('applies a retried report once', () => {
    const once = run([connect('s1'), report('s1', 2, { power: 7 })]).state;
    const twice = run([report('s1', 2, { power: 9 })], once).state;
    expect(twice.reported).toEqual({ power: 7 });
    expect(twice.version).toBe(once.version);
  });

  it('refuses a report from a session that is not open', () => {
    const { rejections, state } = run([connect('s1'), report('old', 5, { power: 1 })]);
    expect(rejections).toEqual(['twin:device.unknown-session']);
    expect(state.reported).toEqual({});
  });

  it('refuses connections of a retired device', () => {
    const retired: DeviceTwinState = {
      ...initialDeviceState(key),
      lifecycle: { state: 'retired', at: at(0), actor: 'ops', reason: 'end of life' },
    };
    expect(run([connect('s1')], retired).rejections).toEqual(['twin:device.closed']);
  });

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

import { isRejection } from '../errors';
import type { DeviceCommand } from './commands';
import { decide } from './decide';
import type { DeviceEvent } from './events';
import { evolveAll } from './evolve';
import {
  initialDeviceState,
  type DeviceTwinSettings,
  type DeviceTwinState,
  type LifecycleState,
} from './state';

export const aKey = { tenantId: 'acme', deviceId: 'c-17' };

/** Second `s` of 2026-01-01, as the ISO time twins take as input. */
export const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

/** A device twin in the given lifecycle state (test-data builder). */
export function aDevice(
  update: Partial<DeviceTwinState> & { lifecycleState?: LifecycleState } = {},
): DeviceTwinState {
  const { lifecycleState, ...rest } = update;
  const base = initialDeviceState(aKey);
  return {
    ...base,
    version: 1,
    lifecycle: { state: lifecycleState ?? 'active', at: at(0), actor: 'test', reason: 'built' },
    ...rest,
  };
}

export const connect = (sessionId: string, s = 1): DeviceCommand => ({
  type: 'connect',
  at: at(s),
  sessionId,
  gatewayNode: 'gw-1',
  seq: 1,
  model: 'wallbox-x',
  firmware: '1.0.0',
});

export const disconnect = (sessionId: string, s: number): DeviceCommand => ({
  type: 'disconnect',
  at: at(s),
  sessionId,
  reason: 'disconnected',
});

export const report = (
  sessionId: string,
  seq: number,
  state: Record<string, unknown>,
  flags?: Record<string, string>,
): DeviceCommand => ({
  type: 'report',
  at: at(10 + seq),
  sessionId,
  seq,
  state,
  ...(flags ? { flags } : {}),
});

/** Runs commands through decide/evolve the way the workflow does, keeping rejections and events. */
export function run(
  commands: DeviceCommand[],
  start: DeviceTwinState = initialDeviceState(aKey),
  settings?: DeviceTwinSettings,
) {
  let state = start;
  const rejections: string[] = [];
  const events: DeviceEvent[] = [];
  for (const cmd of commands) {
    const out = decide(state, cmd, settings);
    if (isRejection(out)) rejections.push(out.code);
    else {
      events.push(...out);
      state = evolveAll(state, out);
    }
  }
  return { state, rejections, events };
}

import { reject, type Rejection } from '../errors';
import { jsonEqual } from '../json-equal';
import type { DeviceCommand } from './commands';
import type { DeviceEvent } from './events';
import type { DeviceTwinState } from './state';

const CLOSED = new Set(['replaced', 'retired']);

/**
 * Decides what a command means for a twin: the events to record, or a typed rejection.
 * Pure: the same state and command always give the same answer. A retried command whose
 * effects are already recorded yields no events, which makes every command idempotent.
 *
 * @example decide(initialDeviceState(key), { type: 'register', at, actor: 'api' })
 */
export function decide(state: DeviceTwinState, cmd: DeviceCommand): DeviceEvent[] | Rejection {
  switch (cmd.type) {
    case 'register':
      if (state.version > 0) return [];
      return [{ type: 'registered', at: cmd.at, actor: cmd.actor, model: cmd.model ?? null }];

    case 'connect': {
      if (CLOSED.has(state.lifecycle.state)) {
        return reject(
          'twin:device.closed',
          `device is ${state.lifecycle.state} and may not connect`,
        );
      }
      if (
        state.connectivity.sessionId === cmd.sessionId &&
        state.connectivity.status === 'online'
      ) {
        return [];
      }
      const events: DeviceEvent[] = [];
      if (state.lifecycle.state === 'provisioned') {
        events.push({
          type: 'lifecycle-changed',
          at: cmd.at,
          from: 'provisioned',
          to: 'active',
          actor: 'device',
          reason: 'first connection',
        });
      }
      events.push({
        type: 'connected',
        at: cmd.at,
        sessionId: cmd.sessionId,
        gatewayNode: cmd.gatewayNode,
        seq: cmd.seq,
        model: cmd.model ?? state.model,
        firmware: cmd.firmware ?? state.firmware,
      });
      return events;
    }

    case 'report': {
      if (state.connectivity.sessionId !== cmd.sessionId) {
        return reject(
          'twin:device.unknown-session',
          'report from a session that is not the open one',
        );
      }
      if (cmd.seq <= state.lastSeq) return [];
      const changes: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(cmd.state)) {
        const known = Object.hasOwn(state.reported, key);
        if (value === null ? known : !known || !jsonEqual(state.reported[key], value)) {
          changes[key] = value;
        }
      }
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'reported', at: cmd.at, seq: cmd.seq, changes }];
    }

    case 'disconnect':
      if (
        state.connectivity.sessionId !== cmd.sessionId ||
        state.connectivity.status !== 'online'
      ) {
        return [];
      }
      return [{ type: 'disconnected', at: cmd.at, sessionId: cmd.sessionId, reason: cmd.reason }];
  }
}

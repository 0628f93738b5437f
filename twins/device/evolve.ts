import type { DeviceEvent } from './events';
import type { DeviceTwinState } from './state';

/** Applies one recorded event. Total and pure: replaying the events rebuilds the state. */
export function evolve(state: DeviceTwinState, event: DeviceEvent): DeviceTwinState {
  const next = { ...state, version: state.version + 1, updatedAt: event.at };
  switch (event.type) {
    case 'registered':
      return {
        ...next,
        lifecycle: { state: 'provisioned', at: event.at, actor: event.actor, reason: 'registered' },
        model: event.model ?? state.model,
      };
    case 'lifecycle-changed':
      return {
        ...next,
        lifecycle: {
          state: event.to,
          at: event.at,
          actor: event.actor,
          reason: event.reason,
          replacedBy: event.replacedBy,
        },
      };
    case 'connected':
      return {
        ...next,
        connectivity: {
          status: 'online',
          reason: null,
          since: event.resumed ? state.connectivity.since : event.at,
          sessionId: event.sessionId,
          gatewayNode: event.gatewayNode,
          pendingOffline: null,
        },
        model: event.model,
        firmware: event.firmware,
        lastSeq: event.seq,
      };
    case 'reported': {
      const reported: Record<string, unknown> = { ...state.reported };
      for (const [key, value] of Object.entries(event.changes)) {
        if (value === null) delete reported[key];
        else reported[key] = value;
      }
      return { ...next, reported, lastSeq: event.seq };
    }
    case 'connection-lost':
      return {
        ...next,
        connectivity: {
          ...state.connectivity,
          sessionId: null,
          gatewayNode: null,
          pendingOffline: { reason: event.reason, at: event.at, deadline: event.deadline },
        },
        lastSeq: 0,
      };
    case 'disconnected':
      return {
        ...next,
        connectivity: {
          status: 'offline',
          reason: event.reason,
          since: event.at,
          sessionId: null,
          gatewayNode: null,
          pendingOffline: null,
        },
        lastSeq: 0,
      };
  }
}

/** Folds events onto a state. */
export function evolveAll(state: DeviceTwinState, events: readonly DeviceEvent[]): DeviceTwinState {
  return events.reduce(evolve, state);
}

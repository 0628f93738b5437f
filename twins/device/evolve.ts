import { isRejection, type Rejection } from '../errors';
import { updateDesired, updateReported, type ShadowUpdate } from '../shadow';
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
      const flagged: Record<string, string> = { ...state.flagged };
      for (const [key, code] of Object.entries(event.flags)) {
        if (code === null) delete flagged[key];
        else flagged[key] = code;
      }
      return {
        ...next,
        shadow: merged(updateReported(state.shadow, event.changes, { at: event.at }), state),
        flagged,
        lastSeq: event.seq,
      };
    }
    case 'desired-changed':
      return {
        ...next,
        shadow: merged(updateDesired(state.shadow, event.changes, { at: event.at }), state),
      };
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
    case 'bound':
      return {
        ...next,
        binding: {
          assetId: event.assetId,
          siteId: event.siteId,
          customerId: event.customerId,
          since: event.at,
        },
      };
    case 'unbound':
      return { ...next, binding: null };
    case 'tags-changed':
      return { ...next, tags: event.tags };
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

/** Recorded changes were accepted once, so re-applying them cannot be refused. */
function merged(outcome: ShadowUpdate | Rejection, state: DeviceTwinState) {
  return isRejection(outcome) ? state.shadow : outcome.shadow;
}

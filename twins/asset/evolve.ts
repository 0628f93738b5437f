import { mergePatch } from '../shadow';
import type { AssetEvent } from './events';
import { assetHealth } from './health';
import type { AssetTwinState } from './state';

/** Applies one recorded event. Total and pure: replaying the events rebuilds the state. */
export function evolve(state: AssetTwinState, event: AssetEvent): AssetTwinState {
  const next = withEvent(state, event);
  return { ...next, health: assetHealth(next) };
}

/** Folds events onto a state. */
export function evolveAll(state: AssetTwinState, events: readonly AssetEvent[]): AssetTwinState {
  return events.reduce(evolve, state);
}

function withEvent(state: AssetTwinState, event: AssetEvent): AssetTwinState {
  const next = { ...state, version: state.version + 1, updatedAt: event.at };
  switch (event.type) {
    case 'created':
      return {
        ...next,
        name: event.name,
        kind: event.kind,
        siteId: event.siteId,
        customerId: event.customerId,
        attributes: event.attributes,
        tags: event.tags,
        createdAt: event.at,
      };
    case 'attributes-changed':
      return {
        ...next,
        attributes: mergePatch(state.attributes, {}, event.changes, event.at).doc,
        name: event.name ?? state.name,
        tags: event.tags ?? state.tags,
      };
    case 'device-bound': {
      const known = state.deviceStatus[event.deviceId];
      const status =
        event.status && (!known || known.version < event.status.version) ? event.status : known;
      return {
        ...next,
        device: { deviceId: event.deviceId, since: event.at },
        deviceStatus: status
          ? { ...state.deviceStatus, [event.deviceId]: status }
          : state.deviceStatus,
      };
    }
    case 'device-unbound':
      return { ...next, device: null };
    case 'device-status-changed':
      return {
        ...next,
        deviceStatus: { ...state.deviceStatus, [event.status.deviceId]: event.status },
      };
  }
}

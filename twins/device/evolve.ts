import { isRejection, type Rejection } from '../errors';
import { updateDesired, updateReported, type ShadowUpdate } from '../shadow';
import { FINISHED_COMMANDS_KEPT, isOpen, type DeviceCommandRecord } from './commands-queue';
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
        ...(event.activation ? { activation: event.activation } : {}),
      };
    case 'lifecycle-changed':
      return {
        ...next,
        // Verification ends with the provisioned state, whichever way it went.
        ...(state.activation ? { activation: null } : {}),
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
          ...(event.protocol ? { protocol: event.protocol } : {}),
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
    case 'noted':
      return { ...next, noted: { ...(state.noted ?? {}), ...event.fields } };
    case 'command-queued': {
      const { id, name, params, actor, expiresAt } = event;
      const record = {
        id,
        name,
        params,
        actor,
        queuedAt: event.at,
        expiresAt,
        status: 'pending',
        result: null,
        completedAt: null,
      } as const;
      return { ...next, commands: [...(state.commands ?? []), record] };
    }
    case 'command-sent':
      return {
        ...next,
        commands: (state.commands ?? []).map((c) =>
          c.id === event.id ? { ...c, status: 'sent' } : c,
        ),
      };
    case 'command-returned':
      return {
        ...next,
        commands: (state.commands ?? []).map((c) =>
          c.id === event.id ? { ...c, status: 'pending' } : c,
        ),
      };
    case 'command-finished': {
      const finished = (state.commands ?? []).map((c) =>
        c.id === event.id
          ? { ...c, status: event.status, result: event.result, completedAt: event.at }
          : c,
      );
      return { ...next, commands: keepRecent(finished) };
    }
    case 'disconnected':
      return {
        ...next,
        connectivity: {
          status: 'offline',
          reason: event.reason,
          since: event.at,
          sessionId: null,
          gatewayNode: null,
          // How it last spoke stays known while it is offline (a rollout needs it).
          ...(state.connectivity.protocol ? { protocol: state.connectivity.protocol } : {}),
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

/** Open commands stay; of the finished ones only the newest are kept, so state stays bounded. */
function keepRecent(commands: readonly DeviceCommandRecord[]): DeviceCommandRecord[] {
  const done = commands.filter((c) => !isOpen(c));
  const drop = new Set(done.slice(0, Math.max(0, done.length - FINISHED_COMMANDS_KEPT)));
  return commands.filter((c) => !drop.has(c));
}

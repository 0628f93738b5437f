import { isRejection, reject, type Rejection } from '../errors';
import { updateDesired, updateReported } from '../shadow';
import type { DeviceCommand } from './commands';
import {
  decideCommandAnswered,
  decideCommandSent,
  decideExpire,
  decideQueueCommand,
} from './decide-commands';
import type { DeviceEvent } from './events';
import { withoutOlderReadings } from './newest-readings';
import { jsonEqual } from '../json-equal';
import { readPath } from '../profiles/dot-path';
import { CLOSED_STATES, LIFECYCLE_TRANSITIONS, canTransition, lifecycleEffects } from './lifecycle';
import { DEFAULT_DEVICE_SETTINGS, type DeviceTwinSettings, type DeviceTwinState } from './state';

type Decision = DeviceEvent[] | Rejection;

/**
 * Decides what a command means for a twin: the events to record, or a typed rejection.
 * Pure: the same state and command always give the same answer. A retried command whose
 * effects are already recorded yields no events, which makes every command idempotent.
 *
 * @example decide(initialDeviceState(key), { type: 'transition', to: 'retired', actor, reason, at })
 */
export function decide(
  state: DeviceTwinState,
  cmd: DeviceCommand,
  settings: DeviceTwinSettings = DEFAULT_DEVICE_SETTINGS,
): Decision {
  switch (cmd.type) {
    case 'register':
      if (state.version > 0) return [];
      return [
        {
          type: 'registered',
          at: cmd.at,
          actor: cmd.actor,
          model: cmd.model ?? null,
          ...(cmd.activation ? { activation: cmd.activation } : {}),
        },
      ];
    case 'transition':
      return decideTransition(state, cmd);
    case 'connect':
      return decideConnect(state, cmd, settings.activateOnConnect !== false);
    case 'observe':
      return decideObserve(state, cmd);
    case 'report':
      return decideReport(state, cmd, settings);
    case 'desire':
      return decideDesire(state, cmd);
    case 'disconnect':
      return decideDisconnect(state, cmd, settings);
    case 'bind':
      return decideBind(state, cmd);
    case 'unbind':
      return state.binding?.assetId === cmd.assetId
        ? [{ type: 'unbound', at: cmd.at, assetId: cmd.assetId }]
        : [];
    case 'set-tags':
      return decideTags(state, cmd);
    case 'queue-command':
      return decideQueueCommand(state, cmd);
    case 'command-sent':
      return decideCommandSent(state, cmd);
    case 'command-returned':
      return state.commands?.find((c) => c.id === cmd.id)?.status === 'sent'
        ? [{ type: 'command-returned', at: cmd.at, id: cmd.id }]
        : [];
    case 'command-answered':
      return decideCommandAnswered(state, cmd);
    case 'expire-commands':
      return decideExpire(state, cmd);
    case 'grace-expired': {
      const pending = state.connectivity.pendingOffline;
      if (!pending || Date.parse(cmd.at) < Date.parse(pending.deadline)) return [];
      return [{ type: 'disconnected', at: pending.at, reason: pending.reason }];
    }
  }
}

function decideTransition(
  state: DeviceTwinState,
  cmd: Extract<DeviceCommand, { type: 'transition' }>,
): Decision {
  const from = state.lifecycle.state;
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== state.version) {
    return reject(
      'twin:device.version-conflict',
      `the device is at version ${state.version}, not ${cmd.expectedVersion}; re-read it and decide again`,
    );
  }
  if (from === cmd.to) return [];
  if (!canTransition(from, cmd.to)) {
    const allowed = LIFECYCLE_TRANSITIONS[from];
    return reject(
      'twin:lifecycle.transition-not-allowed',
      `a ${from} device cannot become ${cmd.to}; from ${from} it may become ${allowed.length ? allowed.join(', ') : 'nothing (final state)'}`,
    );
  }
  if (cmd.reason.trim() === '')
    return reject('twin:lifecycle.reason-required', 'say why the lifecycle changes (reason)');
  if (cmd.to === 'replaced' && (!cmd.replacedBy || cmd.replacedBy === state.deviceId)) {
    return reject(
      'twin:lifecycle.replacement-required',
      'name the device that replaces this one (replacedBy)',
    );
  }
  const online = state.connectivity.status === 'online';
  return [
    {
      type: 'lifecycle-changed',
      at: cmd.at,
      from,
      to: cmd.to,
      actor: cmd.actor,
      reason: cmd.reason,
      replacedBy: cmd.to === 'replaced' ? (cmd.replacedBy ?? null) : null,
      effects: lifecycleEffects(from, cmd.to, online),
    },
  ];
}

function decideConnect(
  state: DeviceTwinState,
  cmd: Extract<DeviceCommand, { type: 'connect' }>,
  activate: boolean,
): Decision {
  if (CLOSED_STATES.has(state.lifecycle.state)) {
    return reject('twin:device.closed', `device is ${state.lifecycle.state} and may not connect`);
  }
  const { connectivity } = state;
  if (connectivity.sessionId === cmd.sessionId && connectivity.status === 'online') return [];
  const events: DeviceEvent[] = [];
  // A device under a provisioning workflow is activated by it, once verified.
  if (activate && state.lifecycle.state === 'provisioned' && !state.activation) {
    events.push(firstConnection(cmd.at));
  }
  events.push({
    type: 'connected',
    at: cmd.at,
    sessionId: cmd.sessionId,
    gatewayNode: cmd.gatewayNode,
    seq: cmd.seq,
    ...(cmd.protocol ? { protocol: cmd.protocol } : {}),
    model: cmd.model ?? state.model,
    firmware: cmd.firmware ?? state.firmware,
    resumed: connectivity.pendingOffline !== null,
  });
  return events;
}

/**
 * What the twin makes of a notice, decided on the record as it is now (a repeated notice
 * changes nothing): a provisioned device that has connected is active, unless a provisioning
 * workflow verifies it; declared fields whose values changed since last noted are noted.
 */
function decideObserve(
  state: DeviceTwinState,
  cmd: Extract<DeviceCommand, { type: 'observe' }>,
): Decision {
  const events: DeviceEvent[] = [];
  const connected = state.connectivity.status !== 'unknown';
  if (state.lifecycle.state === 'provisioned' && !state.activation && connected)
    events.push(firstConnection(cmd.at));
  const fields: Record<string, unknown> = {};
  for (const reason of cmd.reasons) {
    const name = /^(?:field|threshold):(.+)$/.exec(reason)?.[1];
    if (!name || Object.hasOwn(fields, name)) continue;
    const value = readPath(state.shadow.reported, name).value ?? null;
    if (!jsonEqual(value, state.noted?.[name] ?? null)) fields[name] = value;
  }
  if (Object.keys(fields).length > 0) events.push({ type: 'noted', at: cmd.at, fields });
  return events;
}

function firstConnection(at: string): DeviceEvent {
  return {
    type: 'lifecycle-changed',
    at,
    from: 'provisioned',
    to: 'active',
    actor: 'device',
    reason: 'first connection',
    replacedBy: null,
    effects: lifecycleEffects('provisioned', 'active', false),
  };
}

function decideReport(
  state: DeviceTwinState,
  cmd: Extract<DeviceCommand, { type: 'report' }>,
  settings: DeviceTwinSettings,
): Decision {
  if (CLOSED_STATES.has(state.lifecycle.state)) {
    return reject(
      'twin:device.closed',
      `device is ${state.lifecycle.state}; its reports are not accepted`,
    );
  }
  if (state.connectivity.sessionId !== cmd.sessionId) {
    return reject('twin:device.unknown-session', 'report from a session that is not the open one');
  }
  if (cmd.seq <= state.lastSeq) return [];
  const report =
    settings.newestReadingsWin === false
      ? cmd.state
      : withoutOlderReadings(state.shadow.reported, cmd.state);
  const outcome = updateReported(state.shadow, report, { at: cmd.at });
  if (isRejection(outcome)) return outcome;
  const flags = flagChanges(state.flagged, Object.keys(report), cmd.flags ?? {});
  if (!outcome.changed && Object.keys(flags).length === 0) return [];
  return [{ type: 'reported', at: cmd.at, seq: cmd.seq, changes: outcome.changes, flags }];
}

/** Flags raised by this report, and flags of reported fields that came back clean. */
function flagChanges(
  flagged: Readonly<Record<string, string>>,
  reportedKeys: readonly string[],
  raised: Readonly<Record<string, string>>,
): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const key of new Set([...reportedKeys, ...Object.keys(raised)])) {
    const code = raised[key] ?? null;
    if ((flagged[key] ?? null) !== code) changes[key] = code;
  }
  return changes;
}

function decideDesire(
  state: DeviceTwinState,
  cmd: Extract<DeviceCommand, { type: 'desire' }>,
): Decision {
  if (CLOSED_STATES.has(state.lifecycle.state)) {
    return reject('twin:device.closed', `a ${state.lifecycle.state} device takes no desired state`);
  }
  const outcome = updateDesired(state.shadow, cmd.patch, {
    at: cmd.at,
    ...(cmd.expectedVersion !== undefined ? { expectedVersion: cmd.expectedVersion } : {}),
  });
  if (isRejection(outcome)) return outcome;
  if (!outcome.changed) return [];
  return [{ type: 'desired-changed', at: cmd.at, actor: cmd.actor, changes: outcome.changes }];
}

function decideDisconnect(
  state: DeviceTwinState,
  cmd: Extract<DeviceCommand, { type: 'disconnect' }>,
  settings: DeviceTwinSettings,
): Decision {
  const { connectivity } = state;
  if (connectivity.sessionId !== cmd.sessionId || connectivity.status !== 'online') return [];
  if (settings.offlineGraceMs <= 0)
    return [{ type: 'disconnected', at: cmd.at, reason: cmd.reason }];
  const deadline = new Date(Date.parse(cmd.at) + settings.offlineGraceMs).toISOString();
  return [
    { type: 'connection-lost', at: cmd.at, sessionId: cmd.sessionId, reason: cmd.reason, deadline },
  ];
}

function decideBind(
  state: DeviceTwinState,
  cmd: Extract<DeviceCommand, { type: 'bind' }>,
): Decision {
  const current = state.binding;
  if (current?.assetId === cmd.assetId) return [];
  if (current) {
    return reject(
      'twin:binding.device-bound-elsewhere',
      `device ${state.deviceId} is bound to asset ${current.assetId}; unbind it there first`,
    );
  }
  if (CLOSED_STATES.has(state.lifecycle.state)) {
    return reject(
      'twin:device.closed',
      `a ${state.lifecycle.state} device cannot be bound to an asset`,
    );
  }
  const { assetId, siteId, customerId } = cmd;
  return [{ type: 'bound', at: cmd.at, assetId, siteId, customerId }];
}

const TAG = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
const MAX_TAGS = 32;

function decideTags(
  state: DeviceTwinState,
  cmd: Extract<DeviceCommand, { type: 'set-tags' }>,
): Decision {
  const tags = [...new Set(cmd.tags.map((t) => t.trim()))].sort();
  const bad = tags.find((t) => !TAG.test(t));
  if (bad !== undefined) {
    return reject(
      'twin:device.invalid-tag',
      `tag "${bad}" must be 1–64 letters, digits, ".", "_", ":", "/" or "-"`,
    );
  }
  if (tags.length > MAX_TAGS)
    return reject('twin:device.too-many-tags', `at most ${MAX_TAGS} tags per device`);
  // Twins continued from before tags existed carry no `tags` field.
  const current = state.tags ?? [];
  if (tags.length === current.length && tags.every((t, i) => t === current[i])) return [];
  return [{ type: 'tags-changed', at: cmd.at, actor: cmd.actor, tags }];
}

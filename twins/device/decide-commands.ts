import { reject, type Rejection } from '../errors';
import type { DeviceCommand } from './commands';
import { isOpen } from './commands-queue';
import type { DeviceEvent } from './events';
import { CLOSED_STATES } from './lifecycle';
import type { DeviceTwinState } from './state';

type Decision = DeviceEvent[] | Rejection;
const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const MAX_OPEN = 100;
const MAX_TTL_MS = 7 * 24 * 3600 * 1000;

/** Twins continued from before commands existed carry no `commands` field. */
const commandsOf = (state: DeviceTwinState) => state.commands ?? [];

export function decideQueueCommand(
  state: DeviceTwinState,
  cmd: Extract<DeviceCommand, { type: 'queue-command' }>,
): Decision {
  if (commandsOf(state).some((c) => c.id === cmd.id)) return [];
  if (CLOSED_STATES.has(state.lifecycle.state)) {
    return reject('twin:device.closed', `a ${state.lifecycle.state} device takes no commands`);
  }
  if (!NAME.test(cmd.name))
    return reject(
      'twin:command.invalid-name',
      'a command name is a letter followed by letters, digits, ".", "_" or "-"',
    );
  if (cmd.ttlMs < 1_000 || cmd.ttlMs > MAX_TTL_MS) {
    return reject('twin:command.invalid-ttl', 'time-to-live must be between 1 second and 7 days');
  }
  if (commandsOf(state).filter(isOpen).length >= MAX_OPEN) {
    return reject('twin:command.too-many', `the device already has ${MAX_OPEN} open commands`);
  }
  const expiresAt = new Date(Date.parse(cmd.at) + cmd.ttlMs).toISOString();
  return [
    {
      type: 'command-queued',
      at: cmd.at,
      actor: cmd.actor,
      id: cmd.id,
      name: cmd.name,
      params: cmd.params,
      expiresAt,
    },
  ];
}

export function decideCommandSent(
  state: DeviceTwinState,
  cmd: Extract<DeviceCommand, { type: 'command-sent' }>,
): Decision {
  const c = commandsOf(state).find((x) => x.id === cmd.id);
  return c?.status === 'pending' ? [{ type: 'command-sent', at: cmd.at, id: cmd.id }] : [];
}

export function decideCommandAnswered(
  state: DeviceTwinState,
  cmd: Extract<DeviceCommand, { type: 'command-answered' }>,
): Decision {
  const c = commandsOf(state).find((x) => x.id === cmd.id);
  if (!c || !isOpen(c)) return [];
  return [
    {
      type: 'command-finished',
      at: cmd.at,
      id: cmd.id,
      status: cmd.outcome.status,
      result: cmd.outcome.result,
    },
  ];
}

/** Open commands past their time-to-live; a command already sent waits for its answer. */
export function decideExpire(
  state: DeviceTwinState,
  cmd: Extract<DeviceCommand, { type: 'expire-commands' }>,
): Decision {
  const now = Date.parse(cmd.at);
  return commandsOf(state)
    .filter((c) => c.status === 'pending' && Date.parse(c.expiresAt) <= now)
    .map((c) => ({
      type: 'command-finished',
      at: cmd.at,
      id: c.id,
      status: 'expired',
      result: { reason: 'not delivered before it expired' },
    }));
}

/** When the next open command expires, for the twin's timer. */
export function nextCommandExpiry(state: DeviceTwinState): string | null {
  const pending = commandsOf(state)
    .filter((c) => c.status === 'pending')
    .map((c) => c.expiresAt);
  return pending.length ? pending.sort()[0]! : null;
}

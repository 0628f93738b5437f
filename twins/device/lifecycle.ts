import type { LifecycleState } from './state';

/**
 * What a lifecycle state change sets in motion. Effects are data in the event, carried out by
 * the twin workflow (revoke credentials, close the connection) or honoured by other
 * workflows (rollouts skip a device whose effects exclude it).
 */
export type LifecycleEffect =
  | 'mute-alarms'
  | 'unmute-alarms'
  | 'exclude-from-rollouts'
  | 'include-in-rollouts'
  | 'revoke-credentials'
  | 'close-connection';

/** Allowed transitions: from → the states it may move to. `retired` is terminal. */
export const LIFECYCLE_TRANSITIONS: Readonly<Record<LifecycleState, readonly LifecycleState[]>> = {
  provisioned: ['active', 'retired'],
  active: ['inactive', 'maintenance', 'replaced', 'retired'],
  inactive: ['active', 'maintenance', 'replaced', 'retired'],
  maintenance: ['active', 'inactive', 'replaced', 'retired'],
  replaced: ['retired'],
  retired: [],
};

/** States in which a device may not connect and holds no credentials. */
export const CLOSED_STATES: ReadonlySet<LifecycleState> = new Set(['replaced', 'retired']);

export function canTransition(from: LifecycleState, to: LifecycleState): boolean {
  return LIFECYCLE_TRANSITIONS[from].includes(to);
}

/**
 * The side effects of moving from one state to another.
 *
 * @example lifecycleEffects('active', 'maintenance') // ['mute-alarms', 'exclude-from-rollouts']
 */
export function lifecycleEffects(
  from: LifecycleState,
  to: LifecycleState,
  online: boolean,
): LifecycleEffect[] {
  const effects: LifecycleEffect[] = [];
  if (to === 'maintenance') effects.push('mute-alarms', 'exclude-from-rollouts');
  if (from === 'maintenance' && !CLOSED_STATES.has(to))
    effects.push('unmute-alarms', 'include-in-rollouts');
  if (CLOSED_STATES.has(to) && !CLOSED_STATES.has(from)) {
    effects.push('revoke-credentials');
    if (online) effects.push('close-connection');
  }
  return effects;
}

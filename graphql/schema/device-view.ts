import type { DeviceTwinState, LifecycleEffect } from '../../twins/device';
import { deviceWorkflowId } from '../../twins/ids';
import { delta } from '../../twins/shadow';

const upper = (value: string) => value.toUpperCase().replace(/-/g, '_');

/** A twin state in the shape of the GraphQL `Device` type. */
export function deviceView(state: DeviceTwinState) {
  const inMaintenance = state.lifecycle.state === 'maintenance';
  return {
    ...state,
    workflowId: deviceWorkflowId(state),
    tags: state.tags ?? [],
    commands: (state.commands ?? []).map((c) => ({ ...c, status: upper(c.status) })),
    reported: state.shadow.reported,
    desired: state.shadow.desired,
    delta: delta(state.shadow),
    shadowVersion: state.shadow.version,
    flagged: Object.entries(state.flagged).map(([field, code]) => ({ field, code })),
    lifecycle: {
      ...state.lifecycle,
      state: upper(state.lifecycle.state),
      at: state.lifecycle.at || null,
    },
    alarmsMuted: inMaintenance,
    excludedFromRollouts: inMaintenance,
    connectivity: {
      ...state.connectivity,
      status: upper(state.connectivity.status),
      offlineAfter: state.connectivity.pendingOffline?.deadline ?? null,
    },
  };
}

export function lifecycleChangeView(row: {
  fromState: string;
  toState: string;
  at: string;
  actor: string;
  reason: string;
  replacedBy: string | null;
  effects: LifecycleEffect[];
  version: number;
}) {
  return {
    ...row,
    from: upper(row.fromState),
    to: upper(row.toState),
    effects: row.effects.map(upper),
  };
}

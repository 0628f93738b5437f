import type { DeviceTwinState, LifecycleEffect } from '../../twins/device';
import { deviceWorkflowId } from '../../twins/ids';

const upper = (value: string) => value.toUpperCase().replace(/-/g, '_');

/** A twin state in the shape of the GraphQL `Device` type. */
export function deviceView(state: DeviceTwinState) {
  const inMaintenance = state.lifecycle.state === 'maintenance';
  return {
    ...state,
    workflowId: deviceWorkflowId(state),
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

import type { DeviceTwinState } from '../twins/device';

/**
 * The columns of a device record (`device_twins`) for a twin state, as drizzle names them:
 * the ingest path, the twin's commits, projections and registration write the same row from
 * the same state.
 */
export function recordRow(state: DeviceTwinState) {
  const c = state.connectivity;
  return {
    tenantId: state.tenantId,
    deviceId: state.deviceId,
    lifecycle: state.lifecycle.state,
    connectivity: c.status,
    offlineReason: c.reason,
    connectivitySince: c.since,
    model: state.model,
    firmware: state.firmware,
    assetId: state.binding?.assetId ?? null,
    siteId: state.binding?.siteId ?? null,
    customerId: state.binding?.customerId ?? null,
    tags: [...(state.tags ?? [])],
    reported: { ...state.shadow.reported },
    state,
    version: state.version,
    updatedAt: state.updatedAt ?? new Date(0).toISOString(),
    gatewayNode: c.gatewayNode,
    sessionId: c.sessionId,
    offlineDeadline: c.pendingOffline?.deadline ?? null,
  };
}

type Snake<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${Snake<T>}`
  : S;
type RecordRow = ReturnType<typeof recordRow>;

/** The same columns snake_case, as SQL sees them (multi-row updates from JSON). */
export function recordColumns(state: DeviceTwinState): {
  [K in keyof RecordRow as Snake<K>]: RecordRow[K];
} {
  return Object.fromEntries(
    Object.entries(recordRow(state)).map(([k, v]) => [
      k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`),
      v,
    ]),
  ) as { [K in keyof RecordRow as Snake<K>]: RecordRow[K] };
}

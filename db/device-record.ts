import type { DeviceTwinState } from '../twins/device';

/**
 * The columns of a device record (`device_twins`) for a twin state, snake_case as SQL sees
 * them: the ingest path and the twin's commits write the same row from the same state.
 */
export function recordColumns(state: DeviceTwinState) {
  const c = state.connectivity;
  return {
    tenant_id: state.tenantId,
    device_id: state.deviceId,
    lifecycle: state.lifecycle.state,
    connectivity: c.status,
    offline_reason: c.reason,
    connectivity_since: c.since,
    model: state.model,
    firmware: state.firmware,
    asset_id: state.binding?.assetId ?? null,
    site_id: state.binding?.siteId ?? null,
    customer_id: state.binding?.customerId ?? null,
    tags: [...(state.tags ?? [])],
    reported: { ...state.shadow.reported },
    state,
    version: state.version,
    updated_at: state.updatedAt ?? new Date(0).toISOString(),
    gateway_node: c.gatewayNode,
    session_id: c.sessionId,
    offline_deadline: c.pendingOffline?.deadline ?? null,
  };
}

import { sql as dsql } from 'drizzle-orm';
import type { Database } from './client';

/** The gateway nodes that hold at least one online device, as the projection knows them. */
export async function onlineGatewayNodes(database: Database): Promise<string[]> {
  const rows = await database.db.execute<{ node: string }>(dsql`
    select distinct state->'connectivity'->>'gatewayNode' as node
    from device_twins
    where connectivity = 'online' and state->'connectivity'->>'gatewayNode' is not null`);
  return rows.map((r) => r.node);
}

export interface GatewaySession {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly sessionId: string;
}

/** The online devices a gateway node carries. */
export async function sessionsOnGateway(
  database: Database,
  node: string,
): Promise<GatewaySession[]> {
  const rows = await database.db.execute<{
    tenant_id: string;
    device_id: string;
    session_id: string;
  }>(dsql`
    select tenant_id, device_id, state->'connectivity'->>'sessionId' as session_id
    from device_twins
    where connectivity = 'online' and state->'connectivity'->>'gatewayNode' = ${node}
      and state->'connectivity'->>'sessionId' is not null`);
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    deviceId: r.device_id,
    sessionId: r.session_id,
  }));
}

import type { Database } from './client';

/** The gateway nodes that hold at least one device's session, as the device records say. */
export async function onlineGatewayNodes(database: Database): Promise<string[]> {
  const rows = await database.sql<{ node: string }[]>`
    select distinct gateway_node as node from device_twins where gateway_node is not null`;
  return rows.map((r) => r.node);
}

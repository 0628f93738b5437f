import type { Database } from '../../db/client';
import { endSessionsOfGateway } from '../../db/device-ingest';
import { onlineGatewayNodes } from '../../db/gateway-sessions';

/** Activities of the gateway watchdog. */
export function createWatchdogActivities(database: Database, offlineGraceMs: number) {
  return {
    onlineGatewayNodes: () => onlineGatewayNodes(database),

    /**
     * Ends every session a lost gateway held, in the device records, in batches (a device
     * that does not reconnect within its grace period goes offline, `gateway-lost`); returns
     * how many. Its twins hear of it only where it matters to them (notices). A retry ends
     * what is left: sessions already ended are no longer the gateway's.
     */
    markGatewayLost: (node: string): Promise<number> =>
      endSessionsOfGateway(database, node, { offlineGraceMs }),
  };
}

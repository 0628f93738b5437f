import type { Client } from '@temporalio/client';
import type { Database } from '../../db/client';
import { onlineGatewayNodes, sessionsOnGateway } from '../../db/gateway-sessions';
import { sendToDeviceTwin } from '../device-twin/client';

/** Activities of the gateway watchdog. */
export function createWatchdogActivities(database: Database, client: Client) {
  return {
    onlineGatewayNodes: () => onlineGatewayNodes(database),

    /** Tells every twin carried by a lost gateway that its connection is gone; returns how many. */
    async markGatewayLost(node: string): Promise<number> {
      const sessions = await sessionsOnGateway(database, node);
      const at = new Date().toISOString();
      // A retried activity sends again under a newer batch number: a disconnect of a session
      // that is already closed changes nothing, so that is harmless.
      const batch = Date.now();
      for (const s of sessions) {
        await sendToDeviceTwin(client, s, {
          sender: `watchdog:${node}`,
          batch,
          commands: [{ type: 'disconnect', at, sessionId: s.sessionId, reason: 'gateway-lost' }],
        });
      }
      return sessions.length;
    },
  };
}

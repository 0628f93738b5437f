import type { Client } from '@temporalio/client';
import type { Database } from '../../db/client';
import { listenTo } from '../../db/notifications';
import { connectedOcpiPartyIds } from '../../db/ocpi-push-store';
import { ocpiPushWorkflowId, wakeOcpiPushSignal } from '../ocpi-push/messages';

export interface OcpiPushWaker {
  stop(): Promise<void>;
}

/**
 * Wakes the OCPI pushes of a tenant when it commits twin changes (the outbox NOTIFY), so a
 * status reaches the eMSPs without waiting for the pushes' idle check — a workflow cannot
 * LISTEN itself. Per tenant one wake runs at a time and a burst of commits meanwhile costs one
 * more, not one each. A push that is not running ignores it (the signal fails and is dropped);
 * the idle check covers what a lost notification missed.
 */
export async function startOcpiPushWaker(
  database: Database,
  client: Client,
  onError: (error: unknown) => void,
): Promise<OcpiPushWaker> {
  /** Tenants being woken; true when another commit came in meanwhile. */
  const waking = new Map<string, boolean>();
  const running = new Set<Promise<void>>();
  const wakeTenant = async (tenantId: string) => {
    do {
      waking.set(tenantId, false);
      const parties = await connectedOcpiPartyIds(database, tenantId);
      await Promise.all(
        parties.map((partyId) =>
          client.workflow
            .getHandle(ocpiPushWorkflowId(tenantId, partyId))
            .signal(wakeOcpiPushSignal)
            .catch(() => undefined),
        ),
      );
    } while (waking.get(tenantId));
  };
  const wake = (tenantId: string) => {
    if (!tenantId) return;
    if (waking.has(tenantId)) return void waking.set(tenantId, true);
    const run = wakeTenant(tenantId)
      .catch(onError)
      .finally(() => {
        waking.delete(tenantId);
        running.delete(run);
      });
    running.add(run);
  };
  const listener = await listenTo(database, 'outbox', wake);
  return {
    async stop() {
      await listener.unlisten();
      await Promise.all(running);
    },
  };
}

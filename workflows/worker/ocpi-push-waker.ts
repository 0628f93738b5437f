import type { Client } from '@temporalio/client';
import type { Database } from '../../db/client';
import { listenTo } from '../../db/notifications';
import { connectedOcpiPartyIds } from '../../db/ocpi-push-store';
import { ocpiPushWorkflowId, wakeOcpiPushSignal } from '../ocpi-push/messages';

/** A tenant's pushes are woken at most this often (each wake is a signal per party). */
const WAKE_INTERVAL_MS = 1_000;
/**
 * A tenant's connected parties are read again after this long (a party that connects is heard
 * at once through its NOTIFY; one that leaves only fails a signal meanwhile).
 */
const PARTIES_TTL_MS = 10_000;

export interface OcpiPushWaker {
  stop(): Promise<void>;
}

/**
 * Wakes the OCPI pushes of a tenant when it commits twin changes (the outbox NOTIFY), so a
 * status reaches the eMSPs without waiting for the pushes' idle check — a workflow cannot
 * LISTEN itself. Per tenant one wake runs at a time, at most one a second, and a burst of
 * commits meanwhile costs one more, not one each; a tenant's connected parties are read at
 * most every 10 s or when one connects (NOTIFY), so commits of tenants without OCPI parties
 * cost no query. A push that is not running ignores it (the signal fails and is dropped);
 * the idle check covers what a lost notification missed.
 */
export async function startOcpiPushWaker(
  database: Database,
  client: Client,
  onError: (error: unknown) => void,
  options: { wakeIntervalMs?: number; partiesTtlMs?: number } = {},
): Promise<OcpiPushWaker> {
  const wakeIntervalMs = options.wakeIntervalMs ?? WAKE_INTERVAL_MS;
  const partiesTtlMs = options.partiesTtlMs ?? PARTIES_TTL_MS;
  /** Tenants being woken; true when another commit came in meanwhile. */
  const waking = new Map<string, boolean>();
  const running = new Set<Promise<void>>();
  /** Each tenant's connected parties as last read: most tenants have none, and ask nothing. */
  const parties = new Map<string, { ids: readonly string[]; at: number }>();
  const partiesOf = async (tenantId: string) => {
    const known = parties.get(tenantId);
    if (known && Date.now() - known.at < partiesTtlMs) return known.ids;
    const ids = await connectedOcpiPartyIds(database, tenantId);
    parties.set(tenantId, { ids, at: Date.now() });
    return ids;
  };
  const wakeTenant = async (tenantId: string) => {
    for (;;) {
      waking.set(tenantId, false);
      const ids = await partiesOf(tenantId);
      await Promise.all(
        ids.map((partyId) =>
          client.workflow
            .getHandle(ocpiPushWorkflowId(tenantId, partyId))
            .signal(wakeOcpiPushSignal)
            .catch(() => undefined),
        ),
      );
      // A busy tenant commits all the time: its pushes are woken at most once a wake interval
      // (a signal is a Temporal action), the commits meanwhile by that one wake.
      if (ids.length === 0 || !waking.get(tenantId)) return;
      await new Promise((resolve) => setTimeout(resolve, wakeIntervalMs));
    }
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
  // A party that connects counts at once; after a lost connection, every tenant is read again.
  const connections = await listenTo(
    database,
    'ocpiParties',
    (tenantId) => parties.delete(tenantId),
    () => parties.clear(),
  );
  return {
    async stop() {
      await connections.unlisten();
      await listener.unlisten();
      await Promise.all(running);
    },
  };
}

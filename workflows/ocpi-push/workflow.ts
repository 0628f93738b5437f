import {
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { OcpiPushActivities } from '../activities/ocpi-push-activities';
import { wakeOcpiPushSignal, type OcpiPushArgs } from './messages';

/**
 * Pushes a tenant's Locations and EVSE status changes to one connected eMSP
 * (`ocpi-push:<tenant>:<party>`): each round PUTs every Location that changed since it was last
 * sent (EVSEs gone `REMOVED`), then reads the outbox after the party's cursor, PATCHes the
 * current status of every EVSE whose station changed, and moves the cursor. A round that fails is retried with
 * back-off (1 s, doubling, at most 5 min) until the eMSP answers; a later round sends the
 * state as it is then, so nothing stale overtakes a newer status. Ends when the party is no
 * longer connected.
 */
export async function ocpiPush(args: OcpiPushArgs): Promise<void> {
  const acts = proxyActivities<OcpiPushActivities>({
    startToCloseTimeout: '60 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });
  let woken = false;
  setHandler(wakeOcpiPushSignal, () => void (woken = true));
  for (;;) {
    woken = false;
    const outcome = await acts.pushOcpiChanges({ tenantId: args.tenantId, partyId: args.partyId });
    if (outcome === 'stopped') return;
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof ocpiPush>(args);
    if (outcome === 'idle') await condition(() => woken, args.idleCheckMs ?? 10_000);
  }
}

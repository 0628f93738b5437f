import {
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { OcpiSessionActivities } from '../activities/ocpi-session-activities';
import { wakeOcpiSessionPushSignal, type OcpiSessionPushArgs } from './messages';

/**
 * Sends one connected eMSP its Sessions and CDRs (`ocpi-sessions:<tenant>:<party>`): each
 * round attributes new charging sessions (db/ocpi-session-party.ts), PUTs a session the eMSP
 * has not seen, PATCHes one whose energy, status or end changed, and POSTs the CDR of one
 * whose record was written. A round that fails is retried with back-off (1 s, doubling, at
 * most 5 min) until the eMSP answers; each round sends the state as it is then. Ends when the
 * party is no longer connected.
 */
export async function ocpiSessionPush(args: OcpiSessionPushArgs): Promise<void> {
  const acts = proxyActivities<OcpiSessionActivities>({
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });
  let woken = false;
  setHandler(wakeOcpiSessionPushSignal, () => void (woken = true));
  for (;;) {
    woken = false;
    const outcome = await acts.pushOcpiSessions({ tenantId: args.tenantId, partyId: args.partyId });
    if (outcome === 'stopped') return;
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof ocpiSessionPush>(args);
    await condition(() => woken, args.idleCheckMs ?? 10_000);
  }
}

import { proxyActivities } from '@temporalio/workflow';
import type { FleetActivities } from '../activities/fleet-activities';
import type { RetireArgs, RetirementResult } from './messages';

const acts = proxyActivities<FleetActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '30 seconds' },
});

/**
 * Retires a device (`retire:<tenant>:<device>`): the twin becomes `retired` (its credentials
 * are revoked and its connection closed, as the lifecycle's effects say), it leaves its asset
 * (whose binding history keeps it), backends stop routing it, and an unused claim token is
 * spent. Its twin, telemetry and history stay, queryable as before.
 */
export async function retireDevice(args: RetireArgs): Promise<RetirementResult> {
  const key = { tenantId: args.tenantId, deviceId: args.deviceId };
  const refused = (reason: string): RetirementResult => ({
    status: 'refused',
    reason,
    unboundFrom: null,
    routing: [],
  });
  const before = await acts.deviceSnapshot(key);
  if (!before) return refused(`there is no device ${args.deviceId}`);
  const refusal = await acts.transitionDevice({
    key,
    to: 'retired',
    actor: args.actor,
    reason: args.reason,
  });
  if (refusal) return refused(refusal.message);
  const assetId = before.binding?.assetId ?? null;
  if (assetId)
    await acts.unbindFromAsset({
      key,
      assetId,
      actor: args.actor,
      reason: `retired: ${args.reason}`,
    });
  const routing = await acts.rerouteDevice({ ...key, to: null });
  await acts.consumeClaim(key);
  return { status: 'retired', reason: null, unboundFrom: assetId, routing };
}

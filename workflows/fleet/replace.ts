import {
  ChildWorkflowFailure,
  executeChild,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { CLOSED_STATES } from '../../twins/device';
import { replacementRefusal } from '../../twins/fleet/replacement';
import type { FleetActivities } from '../activities/fleet-activities';
import { PROVISION_DEVICE_WORKFLOW, provisioningWorkflowId } from '../provisioning/messages';
import type { provisionDevice } from '../provisioning/workflow';
import {
  replacementStateQuery,
  type ReplaceArgs,
  type ReplacementState,
  type ReplacementStatus,
} from './messages';

const acts = proxyActivities<FleetActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '30 seconds' },
});

/** The stop reason of charging sessions the old device left open. */
export const REPLACED_SESSION_STOP_REASON = 'DeviceReplaced';

/**
 * Replaces a device in its asset (`replace:<tenant>:<old device>`): refused with the reason
 * when the old device is unknown or closed, the new serial exists, or the models are not
 * compatible (same model, or the new model's profile lists the old one under `replaces`).
 * Then the old device becomes `replaced` (credentials revoked, connection closed), leaves the
 * asset, its open charging sessions are closed out and backends that named it name the new
 * one; the new device is provisioned (a child provisioning workflow) into the same asset with
 * the old one's desired configuration and tags — the asset's binding history runs on without
 * a gap — and once its activation is verified, the old device's pending commands follow it.
 */
export async function replaceDevice(args: ReplaceArgs): Promise<ReplacementState> {
  const oldKey = { tenantId: args.tenantId, deviceId: args.deviceId };
  const newKey = { tenantId: args.tenantId, deviceId: args.replacement.serial };
  let state: ReplacementState = {
    status: 'checking',
    reason: null,
    newDeviceId: newKey.deviceId,
    assetId: null,
    closedSessions: 0,
    routing: [],
    movedCommands: [],
    expiredCommands: [],
    provisioning: null,
  };
  setHandler(replacementStateQuery, () => state);
  const end = (status: ReplacementStatus, reason: string | null) => {
    state = { ...state, status, reason };
    return state;
  };

  const old = await acts.deviceSnapshot(oldKey);
  if (!old) return end('refused', `there is no device ${oldKey.deviceId}`);
  if (CLOSED_STATES.has(old.lifecycle.state))
    return end('refused', `device ${oldKey.deviceId} is ${old.lifecycle.state} already`);
  if (newKey.deviceId === oldKey.deviceId)
    return end('refused', 'a device cannot replace itself: give the new serial');
  if (await acts.deviceSnapshot(newKey))
    return end(
      'refused',
      `device ${newKey.deviceId} exists already: a replacement is a new device`,
    );
  const newModel = args.replacement.model ?? old.model;
  const incompatible = replacementRefusal(
    old.model,
    newModel,
    newModel && newModel !== old.model ? await acts.profileReplaces(args.tenantId, newModel) : null,
  );
  if (incompatible) return end('refused', incompatible);

  const refusal = await acts.transitionDevice({
    key: oldKey,
    to: 'replaced',
    actor: args.actor,
    reason: args.reason,
    replacedBy: newKey.deviceId,
  });
  if (refusal) return end('refused', refusal.message);
  const assetId = old.binding?.assetId ?? null;
  if (assetId)
    await acts.unbindFromAsset({
      key: oldKey,
      assetId,
      actor: args.actor,
      reason: `replaced by ${newKey.deviceId}: ${args.reason}`,
    });
  const closedSessions = await acts.closeOpenSessions({
    key: oldKey,
    reason: REPLACED_SESSION_STOP_REASON,
  });
  const routing = await acts.rerouteDevice({ ...oldKey, to: newKey.deviceId });
  state = { ...state, status: 'awaiting-activation', assetId, closedSessions, routing };

  let provisioning;
  try {
    provisioning = await executeChild<typeof provisionDevice>(PROVISION_DEVICE_WORKFLOW, {
      workflowId: provisioningWorkflowId(args.tenantId, newKey.deviceId),
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [
        {
          tenantId: args.tenantId,
          actor: args.actor,
          requestedAt: args.requestedAt,
          secretHash: args.secretHash,
          replaces: oldKey.deviceId,
          request: {
            ...args.replacement,
            ...(newModel ? { model: newModel } : {}),
            ...(assetId ? { assetId } : {}),
            tags: args.replacement.tags ?? [...old.tags],
            desired: { ...old.shadow.desired, ...args.replacement.desired },
          },
        },
      ],
    });
  } catch (error) {
    const cause = error instanceof ChildWorkflowFailure ? error.cause?.message : String(error);
    return end('failed', `provisioning of ${newKey.deviceId} failed: ${cause}`);
  }
  state = { ...state, provisioning };
  if (provisioning.status !== 'active')
    return end('failed', `${newKey.deviceId} was not activated: ${provisioning.reason}`);

  // The old device's undelivered commands follow the asset to the new device.
  const now = Date.now();
  const pending = (old.commands ?? []).filter((c) => c.status === 'pending');
  const alive = pending.filter((c) => Date.parse(c.expiresAt) > now);
  const moved = await acts.queueCommands({
    key: newKey,
    actor: args.actor,
    commands: alive.map((c) => ({
      id: c.id,
      name: c.name,
      params: { ...c.params },
      ttlMs: Date.parse(c.expiresAt) - now,
    })),
  });
  state = {
    ...state,
    movedCommands: moved ? [] : alive.map((c) => c.id),
    expiredCommands: pending.filter((c) => !alive.includes(c)).map((c) => c.id),
  };
  if (moved) return end('failed', `commands could not be moved: ${moved.message}`);
  return end('completed', null);
}

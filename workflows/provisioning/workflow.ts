import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  activationVerdict,
  NOTHING_OBSERVED,
  type ActivationObservation,
} from '../../twins/provisioning/activation';
import { amendRequest } from '../../twins/provisioning/amend';
import type { ProvisionRequest } from '../../twins/provisioning/request';
import type { ProvisioningActivities } from '../activities/provisioning-activities';
import {
  activationObservedSignal,
  provisioningStateQuery,
  type ProvisionArgs,
  type ProvisioningState,
  type ProvisioningStatus,
} from './messages';

const acts = proxyActivities<ProvisioningActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '30 seconds' },
});

/** The hook is someone else's service: a few attempts, then provisioning fails with the reason. */
const hook = proxyActivities<ProvisioningActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['provisioning:admission-hook.invalid'],
  },
});

/** Where a continued run picks up (continue-as-new while waiting for activation). */
interface Resume {
  request: ProvisionRequest;
  observed: ActivationObservation;
  deadline: number;
  reason: string | null;
}

const withoutClaimToken = ({ claimToken: _, ...rest }: ProvisionRequest) => rest;
const causeOf = (error: unknown) =>
  error instanceof ActivityFailure && error.cause instanceof ApplicationFailure
    ? error.cause.message
    : String(error instanceof Error ? error.message : error);

/**
 * Provisions one device (`provision:<tenant>:<serial>`): the tenant's admission hook may
 * refuse or amend the request; the twin is registered under this workflow's watch (with its
 * tags, desired configuration and asset); the identity is created (credentials or a claim
 * token, whose hash alone is in this history); then activation is verified — a first
 * connection plus the expected model, firmware and reported configuration — within the
 * time-out. It ends `active`, `refused` or `failed` with a reason, each step recorded in
 * `device_provisioning` (the audit trail).
 */
export async function provisionDevice(
  args: ProvisionArgs & { resume?: Resume },
): Promise<ProvisioningState> {
  const { tenantId, actor } = args;
  const key = { tenantId, deviceId: args.request.serial };
  const workflowId = workflowInfo().workflowId;
  let request = args.resume?.request ?? args.request;
  let state: ProvisioningState = {
    status: args.resume ? 'awaiting-activation' : 'admitting',
    reason: args.resume?.reason ?? null,
    activatedAt: null,
    observed: args.resume?.observed ?? NOTHING_OBSERVED,
  };
  setHandler(activationObservedSignal, (observed) => {
    if (observed.version >= state.observed.version) state = { ...state, observed };
  });
  setHandler(provisioningStateQuery, () => state);

  /** Records a state, then shows it (query): what a caller reads is already in PostgreSQL. */
  const record = async (next: ProvisioningState = state) => {
    await acts.recordProvisioning({
      tenantId,
      deviceId: key.deviceId,
      workflowId,
      status: next.status,
      reason: next.reason,
      method: request.method,
      request: withoutClaimToken(request),
      requestedBy: actor,
      requestedAt: args.requestedAt,
      activatedAt: next.activatedAt,
    });
    state = { ...next, observed: state.observed };
  };
  const finish = async (status: ProvisioningStatus, reason: string | null) => {
    await record({
      ...state,
      status,
      reason,
      activatedAt: status === 'active' ? new Date().toISOString() : null,
    });
    return state;
  };

  let deadline = args.resume?.deadline ?? 0;
  if (!args.resume) {
    await record();
    let answer;
    try {
      answer = await hook.askAdmissionHook({
        tenantId,
        actor,
        request: withoutClaimToken(request),
      });
    } catch (error) {
      return finish('failed', `admission hook: ${causeOf(error)}`);
    }
    if (!answer.allow) return finish('refused', answer.reason);
    request = amendRequest(request, answer.amend);
    // The twin first, watching: a device must not connect to a twin that would activate it
    // on its first connection.
    const refusal = await acts.registerProvisionedTwin({
      key,
      actor,
      ...(request.model ? { model: request.model } : {}),
      activation: { watcher: workflowId, fields: Object.keys(request.expect.reported ?? {}) },
      ...(request.tags ? { tags: request.tags } : {}),
      ...(request.desired ? { desired: request.desired } : {}),
      ...(request.assetId
        ? {
            assetId: request.assetId,
            bindReason: args.replaces ? `replaces ${args.replaces}` : 'provisioned',
          }
        : {}),
    });
    if (refusal) return finish('failed', refusal.message);
    await acts.storeIdentity({
      key,
      method: request.method,
      hash: args.secretHash,
      expiresAt: new Date(
        Date.parse(args.requestedAt) + request.claimExpiresInS * 1000,
      ).toISOString(),
    });
    deadline = Date.now() + request.activationTimeoutS * 1000;
    await record({ ...state, status: 'awaiting-activation' });
  }

  // Activation: wait for what the twin observes until it satisfies the expectation.
  for (;;) {
    // What this round judged: an observation arriving while the reason is recorded wakes the next.
    const seen = state.observed.version;
    const verdict = activationVerdict(request.expect, state.observed);
    if (verdict.verified) break;
    const missing = verdict.missing.join('; ');
    if (missing !== state.reason) await record({ ...state, reason: missing });
    if (workflowInfo().continueAsNewSuggested)
      await continueAsNew<typeof provisionDevice>({
        ...args,
        resume: { request, observed: state.observed, deadline, reason: state.reason },
      });
    const changed = await condition(
      () => state.observed.version !== seen,
      Math.max(1, deadline - Date.now()),
    );
    if (!changed)
      return finish(
        'failed',
        `activation not verified within ${request.activationTimeoutS} s: ${missing}`,
      );
  }
  const refusal = await acts.activateDevice({
    key,
    actor: `provisioning (${actor})`,
    reason: 'activation verified',
  });
  if (refusal) return finish('failed', refusal.message);
  return finish('active', null);
}

import { checkOcppIdentity, protocolOf } from '../ocpp-identity';
import { requireReachable } from '../reachable';
import { z } from 'zod';
import { hashSecret } from '../../../db/credentials';
import {
  findAdmissionHook,
  findProvisioning,
  newIdentity,
  removeAdmissionHook,
  secretFormOf,
  setAdmissionHook,
} from '../../../db/provisioning-store';
import { CLAIM_TOKEN_WEAK } from '../../../twins/provisioning/claim-token';
import { provisionRequestSchema } from '../../../twins/provisioning/request';
import { provisioningState, startProvisioning } from '../../../workflows/provisioning/client';
import { replacementState, retire, startReplacement } from '../../../workflows/fleet/client';
import { apiError } from '../../errors';
import { requireId } from '../graph/input';
import type { ApiContext } from '../resolvers';

/** How long provisionDevice waits for the admission hook's decision before answering. */
const ADMISSION_WAIT_MS = 10_000;

const withoutNulls = (input: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined));

const hookSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }),
  secret: z.string().min(16, 'at least 16 characters').max(256),
  timeoutMs: z.number().int().min(100).max(60_000),
});

/**
 * A refused request: one refused only for a weak claim token under a code of its own, since
 * the operator has to choose another token rather than fix a field; anything else as invalid.
 */
function refusedRequest(error: z.ZodError) {
  const weak = error.issues.every(
    (i) => i.code === 'custom' && i.params?.code === CLAIM_TOKEN_WEAK,
  );
  return apiError(
    weak ? CLAIM_TOKEN_WEAK : 'provisioning:request.invalid',
    `invalid provisioning request:\n${z.prettifyError(error)}`,
  );
}

/**
 * A validated provisioning request and the identity to show once: the secret (credentials)
 * or claim token is generated here, and only its hash goes to the workflow.
 */
/**
 * A validated provisioning request for `serial` (the argument `field`), checked against OCPP's
 * identity limit, with its identity to show once: a station of a model whose profile says OCPP
 * is given a password it can keep (a 1.6 AuthorizationKey holds 20 bytes).
 */
async function provisionRequest(
  ctx: ApiContext,
  tenantId: string,
  field: string,
  fields: Record<string, unknown> & { serial: string },
) {
  const parsed = provisionRequestSchema.safeParse({
    ...withoutNulls(fields),
    ...(fields.expect ? { expect: withoutNulls(fields.expect as Record<string, unknown>) } : {}),
  });
  if (!parsed.success) throw refusedRequest(parsed.error);
  const { claimToken: given, ...request } = parsed.data;
  const protocol = await protocolOf(ctx.database, tenantId, request.model);
  const warnings = checkOcppIdentity(field, fields.serial, request.model, protocol);
  const shown = newIdentity(request.method, given, secretFormOf(protocol));
  // An operator's own claim token is stored with scrypt; what Doppel generated, fast.
  const secretHash = await hashSecret(shown, given ? 'chosen' : 'generated');
  return { request, shown, secretHash, warnings };
}

/** Fleet operations through their workflows; identities are generated here and shown once. */
export const provisioningResolvers = {
  ProvisioningMethod: { CREDENTIALS: 'credentials', CLAIM: 'claim' },
  ProvisioningStatus: {
    ADMITTING: 'admitting',
    REFUSED: 'refused',
    AWAITING_ACTIVATION: 'awaiting-activation',
    ACTIVE: 'active',
    FAILED: 'failed',
  },
  ReplacementStatus: {
    CHECKING: 'checking',
    REFUSED: 'refused',
    AWAITING_ACTIVATION: 'awaiting-activation',
    COMPLETED: 'completed',
    FAILED: 'failed',
  },
  Provisioning: { serial: (row: { deviceId: string }) => row.deviceId },
  Query: {
    provisioning: async (
      _: unknown,
      args: { tenantId: string; serial: string },
      ctx: ApiContext,
    ) => {
      requireId('tenantId', args.tenantId);
      requireId('serial', args.serial);
      return findProvisioning(ctx.database, { tenantId: args.tenantId, deviceId: args.serial });
    },
    admissionHook: async (_: unknown, args: { tenantId: string }, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      const hook = await findAdmissionHook(ctx.database, args.tenantId);
      return hook ? { tenantId: args.tenantId, url: hook.url, timeoutMs: hook.timeoutMs } : null;
    },
  },
  Mutation: {
    provisionDevice: async (
      _: unknown,
      { input }: { input: Record<string, unknown> & { tenantId: string; serial: string } },
      ctx: ApiContext,
    ) => {
      const { tenantId, ...fields } = input;
      requireId('tenantId', tenantId);
      requireId('serial', input.serial);
      const { request, shown, secretHash, warnings } = await provisionRequest(
        ctx,
        tenantId,
        'serial',
        fields,
      );
      const { workflowId, created } = await startProvisioning(ctx.temporal, {
        tenantId,
        actor: ctx.principal.actor,
        request,
        secretHash,
        requestedAt: new Date().toISOString(),
      });
      const state = await provisioningState(ctx.temporal, workflowId, ADMISSION_WAIT_MS);
      // Shown once, and only when this call stored it: not for a repeat nor a refusal.
      const stored = created && state.status !== 'refused' && state.status !== 'failed';
      return {
        workflowId,
        created,
        status: state.status,
        reason: state.reason,
        secret: stored && request.method === 'credentials' ? shown : null,
        claimToken: stored && request.method === 'claim' ? shown : null,
        warnings,
      };
    },
    setAdmissionHook: async (
      _: unknown,
      { input }: { input: { tenantId: string; url: string; secret: string; timeoutMs: number } },
      ctx: ApiContext,
    ) => {
      const { tenantId, ...fields } = input;
      requireId('tenantId', tenantId);
      const hook = hookSchema.safeParse(fields);
      if (!hook.success)
        throw apiError(
          'provisioning:admission-hook.invalid',
          `invalid admission hook:\n${z.prettifyError(hook.error)}`,
        );
      requireReachable(ctx, hook.data.url);
      await setAdmissionHook(ctx.database, tenantId, hook.data);
      return { tenantId, url: hook.data.url, timeoutMs: hook.data.timeoutMs };
    },
    retireDevice: async (
      _: unknown,
      { input }: { input: { tenantId: string; deviceId: string; reason: string } },
      ctx: ApiContext,
    ) => {
      requireId('tenantId', input.tenantId);
      requireId('deviceId', input.deviceId);
      if (input.reason.trim() === '')
        throw apiError('twin:lifecycle.reason-required', 'say why the device is retired (reason)');
      const { workflowId, result } = await retire(ctx.temporal, {
        ...input,
        actor: ctx.principal.actor,
      });
      return { workflowId, retired: result.status === 'retired', ...result };
    },
    replaceDevice: async (
      _: unknown,
      {
        input,
      }: {
        input: Record<string, unknown> & {
          tenantId: string;
          deviceId: string;
          reason: string;
          newSerial: string;
        };
      },
      ctx: ApiContext,
    ) => {
      const { tenantId, deviceId, reason, newSerial, ...fields } = input;
      requireId('tenantId', tenantId);
      requireId('deviceId', deviceId);
      requireId('newSerial', newSerial);
      if (reason.trim() === '')
        throw apiError('twin:lifecycle.reason-required', 'say why the device is replaced (reason)');
      const { request, shown, secretHash, warnings } = await provisionRequest(
        ctx,
        tenantId,
        'newSerial',
        { ...fields, serial: newSerial },
      );
      const { workflowId, created } = await startReplacement(ctx.temporal, {
        tenantId,
        deviceId,
        actor: ctx.principal.actor,
        reason,
        replacement: request,
        secretHash,
        requestedAt: new Date().toISOString(),
      });
      const state = await replacementState(ctx.temporal, workflowId, ADMISSION_WAIT_MS);
      const stored = created && state.status !== 'refused' && state.status !== 'failed';
      return {
        workflowId,
        created,
        ...state,
        secret: stored && request.method === 'credentials' ? shown : null,
        claimToken: stored && request.method === 'claim' ? shown : null,
        warnings,
      };
    },
    removeAdmissionHook: async (_: unknown, args: { tenantId: string }, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      return removeAdmissionHook(ctx.database, args.tenantId);
    },
  },
};

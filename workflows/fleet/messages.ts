import { defineQuery } from '@temporalio/workflow';
import type { ProvisionRequest } from '../../twins/provisioning/request';
import type { ProvisioningState } from '../provisioning/messages';

export const RETIRE_DEVICE_WORKFLOW = 'retireDevice';
export const REPLACE_DEVICE_WORKFLOW = 'replaceDevice';

/** One retirement per device: `retire:<tenant>:<device>`. */
export const retirementWorkflowId = (tenantId: string, deviceId: string) =>
  `retire:${tenantId}:${deviceId}`;
/** One replacement per device replaced: `replace:<tenant>:<old device>`. */
export const replacementWorkflowId = (tenantId: string, deviceId: string) =>
  `replace:${tenantId}:${deviceId}`;

export interface RetireArgs {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly actor: string;
  readonly reason: string;
}

export interface RetirementResult {
  readonly status: 'retired' | 'refused';
  readonly reason: string | null;
  /** The asset it was removed from. */
  readonly unboundFrom: string | null;
  /** Backends that no longer route it. */
  readonly routing: readonly string[];
}

export interface ReplaceArgs {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly actor: string;
  readonly reason: string;
  /** How the new device is provisioned (its serial, model, identity method, expectations). */
  readonly replacement: ProvisionRequest;
  /** The new device's identity hash (its secret or claim token was shown once to the caller). */
  readonly secretHash: string;
  readonly requestedAt: string;
}

export type ReplacementStatus =
  'checking' | 'refused' | 'awaiting-activation' | 'completed' | 'failed';

export interface ReplacementState {
  readonly status: ReplacementStatus;
  readonly reason: string | null;
  readonly newDeviceId: string;
  readonly assetId: string | null;
  readonly closedSessions: number;
  readonly routing: readonly string[];
  /** Pending commands of the old device queued on the new one (ids). */
  readonly movedCommands: readonly string[];
  /** Pending commands that expired before the new device was active (ids). */
  readonly expiredCommands: readonly string[];
  readonly provisioning: ProvisioningState | null;
}

export const replacementStateQuery = defineQuery<ReplacementState>('replacementState');

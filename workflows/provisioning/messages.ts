import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ActivationObservation } from '../../twins/provisioning/activation';
import type { ProvisionRequest } from '../../twins/provisioning/request';

export const PROVISION_DEVICE_WORKFLOW = 'provisionDevice';

/** `provision:<tenant>:<serial>`: one provisioning per serial, so a repeated request is the same one. */
export const provisioningWorkflowId = (tenantId: string, serial: string) =>
  `provision:${tenantId}:${serial}`;

export interface ProvisionArgs {
  readonly tenantId: string;
  readonly actor: string;
  /** The request as validated by the API (defaults filled in). */
  readonly request: ProvisionRequest;
  /**
   * The identity's hash only: the secret (credentials) or claim token was shown once to the
   * caller and never enters workflow history.
   */
  readonly secretHash: string;
  /** When the request was accepted (ISO): the claim's expiry counts from it. */
  readonly requestedAt: string;
  /** The device this one replaces (a replacement's provisioning): the asset's binding history says so. */
  readonly replaces?: string;
}

export type ProvisioningStatus =
  'admitting' | 'refused' | 'awaiting-activation' | 'active' | 'failed';

export interface ProvisioningState {
  readonly status: ProvisioningStatus;
  /** Why it was refused or failed; what activation still misses while waiting. */
  readonly reason: string | null;
  readonly activatedAt: string | null;
  readonly observed: ActivationObservation;
}

/** Sent by the device twin while the device is provisioned: what it has seen of the device. */
export const activationObservedSignal = defineSignal<[ActivationObservation]>('activationObserved');
export const provisioningStateQuery = defineQuery<ProvisioningState>('provisioningState');

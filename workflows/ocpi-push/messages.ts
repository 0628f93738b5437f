import { defineSignal } from '@temporalio/workflow';

export const OCPI_PUSH_WORKFLOW = 'ocpiPush';

/** @example ocpiPushWorkflowId('acme', 'emsp-1') === 'ocpi-push:acme:emsp-1' */
export const ocpiPushWorkflowId = (tenantId: string, partyId: string) =>
  `ocpi-push:${tenantId}:${partyId}`;

export interface OcpiPushArgs {
  readonly tenantId: string;
  readonly partyId: string;
  /** How often an idle push looks for changes (default 10 s: well inside OCPI's minute). */
  readonly idleCheckMs?: number;
}

/** A party connected again or changed: look now. */
export const wakeOcpiPushSignal = defineSignal('wakeOcpiPush');

/** How a push round ended. */
export type OcpiPushOutcome = 'idle' | 'more' | 'stopped';

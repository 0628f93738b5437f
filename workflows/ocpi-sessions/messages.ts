import { defineSignal } from '@temporalio/workflow';

export const OCPI_SESSION_PUSH_WORKFLOW = 'ocpiSessionPush';

/** @example ocpiSessionPushWorkflowId('acme', 'emsp-1') === 'ocpi-sessions:acme:emsp-1' */
export const ocpiSessionPushWorkflowId = (tenantId: string, partyId: string) =>
  `ocpi-sessions:${tenantId}:${partyId}`;

export interface OcpiSessionPushArgs {
  readonly tenantId: string;
  readonly partyId: string;
  /** How often an idle push looks for sessions and meter values (default 10 s). */
  readonly idleCheckMs?: number;
}

/** A party connected again: look now. */
export const wakeOcpiSessionPushSignal = defineSignal('wakeOcpiSessionPush');

/** How a round ended: nothing more to do now, or the party is gone. */
export type OcpiSessionPushOutcome = 'idle' | 'stopped';

export const OCPI_TOKEN_PULL_WORKFLOW = 'ocpiTokenPull';

/** @example ocpiTokenPullWorkflowId('acme', 'emsp-1') === 'ocpi-token-pull:acme:emsp-1' */
export const ocpiTokenPullWorkflowId = (tenantId: string, partyId: string) =>
  `ocpi-token-pull:${tenantId}:${partyId}`;

export interface OcpiTokenPullArgs {
  readonly tenantId: string;
  readonly partyId: string;
}

/** One page of the pull: how many tokens were stored, and the next page's offset (null: done). */
export interface OcpiTokenPage {
  readonly stored: number;
  readonly next: number | null;
}

export const OCPI_COMMAND_WORKFLOW = 'ocpiCommandResult';

/** @example ocpiCommandWorkflowId('acme', 'ocpi-1f…') === 'ocpi-command:acme:ocpi-1f…' */
export const ocpiCommandWorkflowId = (tenantId: string, commandId: string) =>
  `ocpi-command:${tenantId}:${commandId}`;

export interface OcpiCommandArgs {
  readonly tenantId: string;
  readonly partyId: string;
  readonly deviceId: string;
  /** The twin command that carries the OCPI command to the station. */
  readonly commandId: string;
  /** Where the eMSP wants the CommandResult (its response_url). */
  readonly responseUrl: string;
  /** How long the station has to answer before the result is TIMEOUT (the CommandResponse's timeout). */
  readonly timeoutMs: number;
}

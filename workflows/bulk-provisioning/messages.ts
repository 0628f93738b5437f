export const BULK_PROVISION_WORKFLOW = 'bulkProvision';

/** `bulk-provision:<tenant>:<bulk id>`: one workflow per uploaded file. */
export const bulkProvisionWorkflowId = (tenantId: string, bulkId: string) =>
  `bulk-provision:${tenantId}:${bulkId}`;

export interface BulkProvisionArgs {
  readonly tenantId: string;
  readonly bulkId: string;
  readonly actor: string;
  /** When the file was accepted (ISO): every row's claim expiry counts from it. */
  readonly requestedAt: string;
  readonly total: number;
  /** Rows per page (500 when left out; smaller makes a test continue as new sooner). */
  readonly pageSize?: number;
}

/** Submission outcomes so far (rows refused up front are counted by the API, not here). */
export interface BulkSubmitted {
  /** Registered in a batch, no workflow of their own (absent in runs from before batches). */
  readonly registered?: number;
  readonly alreadyRegistered?: number;
  /** Refused by the twin when registered. */
  readonly refused?: number;
  readonly started: number;
  readonly alreadyProvisioned: number;
  readonly failed: number;
}

/** Where a continued run picks up: the last row position handled and the outcomes so far. */
export interface BulkResume {
  readonly after: number;
  readonly submitted: BulkSubmitted;
}

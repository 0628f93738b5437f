/** The one checkpoint signer per namespace, started by whichever worker starts first. */
export const LEDGER_CHECKPOINTS_WORKFLOW = 'ledgerCheckpoints';
export const LEDGER_CHECKPOINTS_ID = 'ledger-checkpoints';

export interface LedgerCheckpointsArgs {
  /** How often the heads of the tenants' chains are signed; at most 60 s (issue 8). */
  readonly intervalMs: number;
}

export const DEFAULT_LEDGER_CHECKPOINTS: LedgerCheckpointsArgs = { intervalMs: 30_000 };

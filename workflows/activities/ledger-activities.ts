import { ApplicationFailure } from '@temporalio/common';
import type { Database } from '../../db/client';
import { checkpointLedgers, type LedgerSigner } from '../../db/ledger-checkpoints';

/** Signs ledger checkpoints with this worker's key (LEDGER_SIGNING_KEY). */
export function createLedgerActivities(database: Database, signer: LedgerSigner | null) {
  return {
    async checkpointLedgers(): Promise<{ signed: number }> {
      // Retryable: another worker of the queue may have the key.
      if (!signer)
        throw ApplicationFailure.retryable(
          'this worker has no ledger signing key (LEDGER_SIGNING_KEY)',
          'ledger:no-signing-key',
        );
      return checkpointLedgers(database, signer);
    },
  };
}

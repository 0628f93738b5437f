import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Database } from '../../db/client';
import { deviceCommandAnswer } from '../../db/ocpi-command-store';
import { findOcpiParty } from '../../db/ocpi-party-store';
import type { Egress } from '../../outbound/egress';
import { commandResult } from '../../twins/ocpi/command-result';
import type { OcpiCommandArgs } from '../ocpi-command/messages';

export const OCPI_COMMAND_RESULT_FAILED = 'ocpi:command-result.failed';

/** Activities of the OCPI command-result workflow. */
export function createOcpiCommandActivities(database: Database, egress: Egress) {
  return {
    /** The station's answer as OCPI's CommandResultType, or null while there is none. */
    async ocpiCommandOutcome(a: OcpiCommandArgs): Promise<string | null> {
      const answer = await deviceCommandAnswer(database, a.tenantId, a.deviceId, a.commandId);
      return answer === null ? null : commandResult(answer);
    },

    /** POSTs the CommandResult to the eMSP with token B; throws (to retry) unless 2xx/1xxx. */
    async postOcpiCommandResult(a: OcpiCommandArgs & { result: string }): Promise<void> {
      const party = await findOcpiParty(database, a.tenantId, a.partyId);
      if (!party?.tokenB || party.status !== 'connected') return; // gone: nobody to tell
      const attempt = Context.current().info.attempt;
      let status = 0;
      let code: unknown;
      try {
        const response = await egress.fetch(a.responseUrl, {
          method: 'POST',
          headers: {
            authorization: `Token ${Buffer.from(party.tokenB, 'utf8').toString('base64')}`,
            'content-type': 'application/json',
            'x-request-id': crypto.randomUUID(),
            'x-correlation-id': crypto.randomUUID(),
            'ocpi-from-country-code': party.cpoCountryCode,
            'ocpi-from-party-id': party.cpoPartyId,
            'ocpi-to-country-code': party.countryCode ?? '',
            'ocpi-to-party-id': party.partyCode ?? '',
          },
          body: JSON.stringify({ result: a.result }),
          signal: AbortSignal.timeout(10_000),
        });
        status = response.status;
        code = ((await response.json().catch(() => ({}))) as { status_code?: unknown }).status_code;
      } catch (error) {
        const reason = error instanceof Error ? (error.cause ?? error) : error;
        throw ApplicationFailure.retryable(
          `POST of the command result failed (attempt ${attempt}): ${String(reason)}`,
          OCPI_COMMAND_RESULT_FAILED,
        );
      }
      if (status < 200 || status > 299 || typeof code !== 'number' || code >= 2000)
        throw ApplicationFailure.retryable(
          `the eMSP answered the command result with HTTP ${status}, status_code ${String(code)} (attempt ${attempt})`,
          OCPI_COMMAND_RESULT_FAILED,
        );
    },
  };
}

export type OcpiCommandActivities = ReturnType<typeof createOcpiCommandActivities>;

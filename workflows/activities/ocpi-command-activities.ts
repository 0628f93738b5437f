import { Context } from '@temporalio/activity';
import type { Database } from '../../db/client';
import { deviceCommandAnswer } from '../../db/ocpi-command-store';
import { findOcpiParty } from '../../db/ocpi-party-store';
import type { Egress } from '../../outbound/egress';
import { callEmsp, emspAccepted, emspRefused, emspRoutingHeaders } from './emsp-call';
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
      const call = {
        method: 'POST',
        url: a.responseUrl,
        token: party.tokenB,
        headers: emspRoutingHeaders(party),
        body: { result: a.result },
        failureType: OCPI_COMMAND_RESULT_FAILED,
        attempt: Context.current().info.attempt,
      };
      const answer = await callEmsp(egress, call);
      if (!emspAccepted(answer)) throw emspRefused(call, answer);
    },
  };
}

export type OcpiCommandActivities = ReturnType<typeof createOcpiCommandActivities>;

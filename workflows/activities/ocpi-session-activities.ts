import { Context } from '@temporalio/activity';
import type { Database } from '../../db/client';
import { findOcpiParty, type OcpiPartyRow } from '../../db/ocpi-party-store';
import { ocpiSessionParty } from '../../db/ocpi-session-party';
import { ocpiCdrDocument, ocpiSessionDocument } from '../../db/ocpi-session-documents';
import {
  claimOcpiSession,
  pruneOcpiSessionStarts,
  unclaimedOcpiSessions,
} from '../../db/ocpi-session-claims';
import {
  markOcpiCdrSent,
  markOcpiSessionSent,
  ocpiSessionRows,
  type OcpiSessionRow,
} from '../../db/ocpi-session-store';
import type { OcpiSessionSent } from '../../db/ocpi-session-store';
import { ocpiPartyStationFilter } from '../../db/ocpi-station-filter';
import type { Egress } from '../../outbound/egress';
import { callEmsp, emspAccepted, emspRefused, emspRoutingHeaders } from './emsp-call';
import { ocpiId } from '../../twins/ocpi/location-document';
import type { OcpiSessionPushOutcome } from '../ocpi-sessions/messages';

export const OCPI_SESSION_PUSH_FAILED = 'ocpi:session-push.failed';

const receiverOf = (party: OcpiPartyRow, module: string) =>
  party.endpoints
    .find((e) => e.identifier === module && e.role === 'RECEIVER')
    ?.url.replace(/\/+$/, '');

const changed = (a: OcpiSessionSent, b: OcpiSessionSent) =>
  a.status !== b.status || a.kwh !== b.kwh || a.endDateTime !== b.endDateTime;

/** Activities of the OCPI Sessions/CDRs push workflow (workflows/ocpi-sessions). */
export function createOcpiSessionActivities(database: Database, egress: Egress) {
  return {
    /**
     * One round for one eMSP: attribute the tenant's new charging sessions, then bring the
     * eMSP up to date with each of its own — PUT a new Session, PATCH what changed, POST the
     * CDR once the session's record is written. Throws (to retry with back-off) when the eMSP
     * did not answer a call 2xx/1xxx, after trying every session: what was answered stays sent.
     */
    async pushOcpiSessions(a: {
      tenantId: string;
      partyId: string;
    }): Promise<OcpiSessionPushOutcome> {
      const party = await findOcpiParty(database, a.tenantId, a.partyId);
      const token = party?.tokenB;
      if (!party || party.status !== 'connected' || !token) return 'stopped';
      await pruneOcpiSessionStarts(database, a.tenantId, a.partyId);
      const filter = await ocpiPartyStationFilter(database, a.tenantId, a.partyId);
      for (const found of await unclaimedOcpiSessions(database, a.tenantId, a.partyId, filter)) {
        const owner = await ocpiSessionParty(database, a.tenantId, found);
        // Another eMSP's session is claimed by that eMSP's own push.
        if (owner?.partyId !== a.partyId) continue;
        await claimOcpiSession(database, {
          tenantId: a.tenantId,
          sessionId: found.sessionId,
          partyId: a.partyId,
          via: owner.via,
          token: owner.token,
          authorizationReference: owner.authorizationReference,
          // Where the station is bound now, whatever the command named.
          locationId: ocpiId(found.siteId),
          evseUid: ocpiId(found.assetId),
          connectorId: owner.connectorId ?? String(found.connectorId ?? 1),
        });
      }
      const sessionsUrl = receiverOf(party, 'sessions');
      const cdrsUrl = receiverOf(party, 'cdrs');
      const { rows } = await ocpiSessionRows(database, a.tenantId, a.partyId, { kind: 'open' });
      // Each session on its own: one the eMSP refuses holds up no other; the round is then
      // retried (with back-off) for what is left.
      let failed: unknown = null;
      for (const row of rows)
        try {
          await bringUpToDate(party, token, row, sessionsUrl, cdrsUrl);
        } catch (error) {
          failed ??= error;
        }
      if (failed) throw failed;
      return 'idle';
    },
  };

  /** PUT or PATCH the session if the eMSP's copy is behind, then POST its CDR once recorded. */
  async function bringUpToDate(
    party: OcpiPartyRow,
    token: string,
    row: OcpiSessionRow,
    sessionsUrl: string | undefined,
    cdrsUrl: string | undefined,
  ): Promise<void> {
    const headers = emspRoutingHeaders(party);
    const session = await ocpiSessionDocument(database, party, row);
    const now: OcpiSessionSent = {
      status: session.status,
      kwh: session.kwh,
      endDateTime: session.end_date_time ?? null,
    };
    if (sessionsUrl && (!row.sent || changed(row.sent, now))) {
      const url = `${sessionsUrl}/${party.cpoCountryCode}/${party.cpoPartyId}/${session.id}`;
      if (!row.sent) await send('PUT', url, token, session, headers);
      else
        await send(
          'PATCH',
          url,
          token,
          {
            kwh: session.kwh,
            status: session.status,
            ...(session.end_date_time ? { end_date_time: session.end_date_time } : {}),
            charging_periods: session.charging_periods,
            ...(session.total_cost ? { total_cost: session.total_cost } : {}),
            last_updated: new Date().toISOString(),
          },
          headers,
        );
      await markOcpiSessionSent(database, party.tenantId, row.sessionId, now);
    }
    if (!row.record) return;
    const cdr = await ocpiCdrDocument(database, party, row);
    // Without a CDRs receiver the eMSP pulls CDRs: the session is done all the same.
    const location = cdrsUrl ? await send('POST', cdrsUrl, token, cdr, headers) : null;
    await markOcpiCdrSent(database, party.tenantId, row.sessionId, location);
  }

  /**
   * One call to the eMSP with token B; its Location header, or a retryable failure. Redirects
   * are not followed (egress rules) but for one: to the same URL with a trailing slash, which
   * some eMSPs' frameworks answer for their module roots (py_ocpi's `POST /cdrs`).
   */
  async function send(
    method: string,
    url: string,
    token: string,
    body: unknown,
    headers: Record<string, string>,
    slashed = false,
  ): Promise<string | null> {
    const call = {
      method,
      url,
      token,
      headers,
      body,
      failureType: OCPI_SESSION_PUSH_FAILED,
      attempt: Context.current().info.attempt,
    };
    const answer = await callEmsp(egress, call);
    if (
      !slashed &&
      (answer.status === 307 || answer.status === 308) &&
      answer.location &&
      new URL(answer.location, url).href === new URL(`${url}/`).href
    )
      return send(method, `${url}/`, token, body, headers, true);
    if (!emspAccepted(answer)) throw emspRefused(call, answer);
    return answer.location;
  }
}

export type OcpiSessionActivities = ReturnType<typeof createOcpiSessionActivities>;

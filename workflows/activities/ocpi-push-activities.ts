import { Context } from '@temporalio/activity';
import type { Database } from '../../db/client';
import { advanceOcpiPushCursor, evsesOfDevices, ocpiPushPage } from '../../db/ocpi-push-store';
import { ocpiPartyStationFilter } from '../../db/ocpi-station-filter';
import type { Egress } from '../../outbound/egress';
import { callEmsp, emspAccepted, emspRefused, emspRoutingHeaders } from './emsp-call';
import {
  forgetPushedLocation,
  pushedLocations,
  recordPushedLocation,
  visibleLocations,
} from '../../db/ocpi-pushed-location-store';
import type { LocationAsset, LocationSite } from '../../db/ocpi-location-store';
import { evseDocument, locationDocument, ocpiId } from '../../twins/ocpi/location-document';
import { locationShape, removedEvses } from '../../twins/ocpi/location-shape';
import type { OcpiPushOutcome } from '../ocpi-push/messages';

export const OCPI_PUSH_FAILED = 'ocpi:push.failed';

/** At most this often a worker compares a party's Locations with what it was last sent. */
const LOCATION_COMPARE_MS = 10_000;

/** Activities of the OCPI push workflow. */
export function createOcpiPushActivities(database: Database, egress: Egress) {
  /**
   * When this worker last compared a party's Locations (by `tenant:party`). Rounds woken by
   * the outbox can follow each other closely on a busy tenant; the comparison reads every
   * Location the party sees, so it runs at most once per LOCATION_COMPARE_MS per party and
   * worker — their changes are not urgent to the second, unlike a status.
   */
  const lastCompared = new Map<string, number>();
  return {
    /**
     * One round: first every Location the party sees, compared with what it was last sent —
     * a new or changed one (fields, publish, EVSEs, connectors) is PUT whole, with any EVSE
     * gone from it `REMOVED`; one gone (unpublished, removed, out of the party's sight) is PUT
     * with all its EVSEs `REMOVED`. Then the EVSEs whose stations changed since the cursor,
     * PATCHed to the eMSP's Locations receiver (`…/{country}/{party}/{location}/{evse}` with status and
     * last_updated); a PATCH the eMSP answers "unknown object" (HTTP 404, OCPI 2003/2004: it
     * never pulled, or not this Location) is followed by a PUT of the whole Location, as a pull
     * would give it (`…/{country}/{party}/{location}`). The cursor moves only when every call
     * was answered 2xx with 1xxx.
     */
    async pushOcpiChanges(a: { tenantId: string; partyId: string }): Promise<OcpiPushOutcome> {
      const page = await ocpiPushPage(database, a.tenantId, a.partyId);
      const token = page?.party.tokenB;
      if (!page || page.party.status !== 'connected' || !token) return 'stopped';
      const { party } = page;
      const receiver = party.endpoints.find(
        (e) => e.identifier === 'locations' && e.role === 'RECEIVER',
      );
      if (!receiver) {
        if (page.reaches === party.pushCursor) return 'idle';
        await advanceOcpiPushCursor(
          database,
          a.tenantId,
          a.partyId,
          party.pushCursor,
          page.reaches,
        );
        return page.full ? 'more' : 'idle';
      }
      const base = receiver.url.replace(/\/+$/, '');
      const headers = emspRoutingHeaders(party);
      const locationUrl = (siteId: string) =>
        `${base}/${party.cpoCountryCode}/${party.cpoPartyId}/${ocpiId(siteId)}`;
      const put = async (site: LocationSite, all: readonly LocationAsset[]) => {
        const document = locationDocument(party, site, all);
        await send('PUT', locationUrl(site.siteId), token, document, headers);
        await recordPushedLocation(
          database,
          a.tenantId,
          a.partyId,
          site.siteId,
          locationShape(document),
          document,
        );
      };
      // Read each round: a change of the party's OCPI backends applies to the next one.
      const stations = await ocpiPartyStationFilter(database, a.tenantId, a.partyId);

      // Locations themselves: compared with what was last sent, every round (their changes —
      // details, publish, assets, bindings, connectors, the party's backends — are not all in
      // the outbox). A Location sent whole needs no status PATCH in this round.
      const sentWhole = new Set<string>();
      const compareKey = `${a.tenantId}:${a.partyId}`;
      const compare = Date.now() - (lastCompared.get(compareKey) ?? 0) >= LOCATION_COMPARE_MS;
      const sent = compare
        ? await pushedLocations(database, a.tenantId, a.partyId)
        : new Map<string, never>();
      const visible = compare ? await visibleLocations(database, a.tenantId, stations) : [];
      for (const { site, assets } of visible) {
        const document = locationDocument(party, site, assets);
        const shape = locationShape(document);
        const before = sent.get(site.siteId);
        sent.delete(site.siteId);
        if (before?.shape === shape) continue;
        // An EVSE the eMSP was sent that is no longer there goes once more, REMOVED.
        const uids = new Set(document.evses.map((e) => e.uid));
        const gone = ((before?.document.evses ?? []) as Array<Record<string, unknown>>).filter(
          (e) => !uids.has(e.uid as string) && e.status !== 'REMOVED',
        );
        await send(
          'PUT',
          locationUrl(site.siteId),
          token,
          {
            ...document,
            evses: [...document.evses, ...removedEvses(gone, new Date().toISOString())],
          },
          headers,
        );
        await recordPushedLocation(database, a.tenantId, a.partyId, site.siteId, shape, document);
        sentWhole.add(site.siteId);
      }
      // Sent before, gone now (unpublished, removed, or no station the party sees): every EVSE
      // REMOVED, once.
      for (const [siteId, before] of sent) {
        const at = new Date().toISOString();
        await send(
          'PUT',
          locationUrl(siteId),
          token,
          { ...before.document, evses: removedEvses(before.document.evses, at), last_updated: at },
          headers,
        );
        await forgetPushedLocation(database, a.tenantId, a.partyId, siteId);
      }
      // Only once every Location went through: a failed round compares again on its retry.
      if (compare) lastCompared.set(compareKey, Date.now());

      if (page.reaches === party.pushCursor) return 'idle';
      const changed = await evsesOfDevices(database, a.tenantId, page.deviceIds, stations);
      for (const { site, assets, all } of changed) {
        if (sentWhole.has(site.siteId)) continue;
        for (const asset of assets) {
          const evse = evseDocument(asset);
          const answer = await send(
            'PATCH',
            `${locationUrl(site.siteId)}/${evse.uid}`,
            token,
            { status: evse.status, last_updated: evse.last_updated },
            headers,
          );
          if (answer === 'unknown') {
            // One PUT brings every EVSE of the Location: no further PATCH needed for it.
            await put(site, all);
            break;
          }
        }
      }
      await advanceOcpiPushCursor(database, a.tenantId, a.partyId, party.pushCursor, page.reaches);
      return page.full ? 'more' : 'idle';
    },
  };

  /**
   * One call to the eMSP's Locations receiver: 'ok' when answered 2xx with 1xxx, 'unknown'
   * when the eMSP does not know the object (HTTP 404, or OCPI 2003/2004 — py_ocpi answers a
   * bare 404), else a retryable failure.
   */
  async function send(
    method: 'PATCH' | 'PUT',
    url: string,
    token: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<'ok' | 'unknown'> {
    const call = {
      method,
      url,
      token,
      headers,
      body,
      failureType: OCPI_PUSH_FAILED,
      attempt: Context.current().info.attempt,
    };
    const answer = await callEmsp(egress, call);
    if (
      method === 'PATCH' &&
      (answer.status === 404 || answer.code === 2003 || answer.code === 2004)
    )
      return 'unknown';
    if (!emspAccepted(answer)) throw emspRefused(call, answer);
    return 'ok';
  }
}

export type OcpiPushActivities = ReturnType<typeof createOcpiPushActivities>;

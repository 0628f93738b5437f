import type { Database } from './client';
import { REALTIME_ATTRIBUTION_BEFORE } from './ocpi-realtime-authorization-store';
import { ocpiStationFilterSql, type OcpiStationFilter } from './ocpi-station-filter';
import { ocpiSessions } from './schema';

/** How far back the push looks for sessions nobody has attributed yet. */
const CLAIM_WINDOW = '1 day';

/** A charging session at a published Location that no eMSP holds yet. */
export interface UnclaimedSession {
  readonly sessionId: number;
  readonly deviceId: string;
  readonly protocol: string;
  readonly idTag: string | null;
  readonly openedAt: Date;
  readonly evseId: number | null;
  readonly connectorId: number | null;
  readonly siteId: string;
  readonly assetId: string;
}

/**
 * Charging sessions of the tenant's stations bound to an asset of a published Location, opened
 * in the last day, that no eMSP holds yet and that this party may have a claim on (oldest
 * first): the candidates of attribution, which ocpiSessionParty() then decides. The claim
 * test is only a cheap filter, so that sessions of nobody's (local cards) are not weighed
 * again every round.
 */
export async function unclaimedOcpiSessions(
  database: Database,
  tenantId: string,
  partyId: string,
  /** The stations the party sees (its OCPI backends): a cached token claims only on those. */
  filter: OcpiStationFilter,
  limit = 100,
): Promise<UnclaimedSession[]> {
  const rows = await database.sql<
    {
      id: number;
      device_id: string;
      protocol: string;
      id_tag: string | null;
      created_at: Date;
      evse_id: number | null;
      connector_id: number | null;
      site_id: string;
      asset_id: string;
    }[]
  >`
    select cs.id, cs.device_id, cs.protocol, cs.id_tag, cs.created_at, cs.evse_id,
      cs.connector_id, a.site_id, a.asset_id
    from charging_sessions cs
    left join device_twins d on d.tenant_id = cs.tenant_id and d.device_id = cs.device_id
    join lateral (
      select a.site_id, a.asset_id from assets a
      join ocpi_locations l on l.tenant_id = a.tenant_id and l.site_id = a.site_id and l.publish
      where a.tenant_id = cs.tenant_id and a.current_device_id = cs.device_id
      order by a.asset_id limit 1) a on true
    where cs.tenant_id = ${tenantId} and cs.id_tag is not null
      and cs.created_at > now() - ${CLAIM_WINDOW}::interval
      and not exists (select 1 from ocpi_sessions o
        where o.tenant_id = cs.tenant_id and o.session_id = cs.id)
      and (exists (select 1 from ocpi_session_starts s
        where s.tenant_id = cs.tenant_id and s.device_id = cs.device_id and s.id_tag = cs.id_tag
          and s.party_id = ${partyId})
        -- or this party caches the idTag (as ocpiTokenByUid matches it: the uid in upper
        -- case, or a 1.6 idTag that is a longer uid's first 20 characters), on a station the
        -- party sees (a START_SESSION was already narrowed when it was accepted)
        -- (or allowed it in real time on this station: its answer was cached the same way)
        or ((exists (select 1 from ocpi_tokens t
          where t.tenant_id = cs.tenant_id and t.ocpi_party_id = ${partyId}
            and (t.uid = upper(cs.id_tag)
              or (length(cs.id_tag) = 20 and left(t.uid, 20) = upper(cs.id_tag))))
          or exists (select 1 from ocpi_realtime_authorizations r
            where r.tenant_id = cs.tenant_id and r.device_id = cs.device_id
              and r.id_tag = cs.id_tag and r.party_id = ${partyId}))
          and ${ocpiStationFilterSql(database, filter, 'd')}))
    order by cs.id limit ${limit}`;
  return rows.map((r) => ({
    sessionId: r.id,
    deviceId: r.device_id,
    protocol: r.protocol,
    idTag: r.id_tag,
    openedAt: new Date(r.created_at),
    evseId: r.evse_id,
    connectorId: r.connector_id,
    siteId: r.site_id,
    assetId: r.asset_id,
  }));
}

/**
 * Forgets a party's START_SESSIONs and real-time authorisations that can no longer be
 * attributed (past the claim window).
 */
export async function pruneOcpiSessionStarts(
  database: Database,
  tenantId: string,
  partyId: string,
): Promise<void> {
  await database.sql`
    delete from ocpi_session_starts
    where tenant_id = ${tenantId} and party_id = ${partyId}
      and expires_at < now() - ${CLAIM_WINDOW}::interval`;
  await database.sql`
    delete from ocpi_realtime_authorizations
    where tenant_id = ${tenantId} and party_id = ${partyId}
      and created_at < now() - ${CLAIM_WINDOW}::interval
        - ${REALTIME_ATTRIBUTION_BEFORE}::interval`;
}

/** Gives a session to an eMSP, once: a second claim of the same session changes nothing. */
export async function claimOcpiSession(
  database: Database,
  claim: Omit<typeof ocpiSessions.$inferInsert, 'createdAt' | 'updatedAt' | 'sent'>,
): Promise<void> {
  await database.db.insert(ocpiSessions).values(claim).onConflictDoNothing();
}

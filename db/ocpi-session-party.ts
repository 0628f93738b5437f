import { and, desc, eq, gte, lte } from 'drizzle-orm';
import type { Database } from './client';
import { ocpiRealtimeAuthorizationFor } from './ocpi-realtime-authorization-store';
import { ocpiTokenByUid } from './ocpi-token-store';
import { ocpiSessionStarts } from './schema';

/** A START_SESSION passed on to a station, as its attribution needs it. */
export type OcpiSessionStart = Omit<typeof ocpiSessionStarts.$inferInsert, 'createdAt'>;

/** Records which eMSP started which token on which station (graphql/ocpi/commands.ts). */
export async function recordOcpiSessionStart(
  database: Database,
  start: OcpiSessionStart,
): Promise<void> {
  await database.db.insert(ocpiSessionStarts).values(start).onConflictDoNothing();
}

/** The eMSP a charging session belongs to, and the OCPI token it was charged to. */
export interface OcpiSessionOwner {
  readonly partyId: string;
  /**
   * `start-session`: its START_SESSION started it; `authorize`: it allowed the idTag in real
   * time on that station just before; `token`: its cached token is the idTag.
   */
  readonly via: 'start-session' | 'authorize' | 'token';
  /** The OCPI Token object (country_code, party_id, uid, type, contract_id, …). */
  readonly token: Record<string, unknown>;
  readonly authorizationReference: string | null;
  /** Where the START_SESSION asked for it (null for a token-cache attribution). */
  readonly locationId: string | null;
  readonly evseUid: string | null;
  readonly connectorId: string | null;
}

/**
 * Which eMSP a charging session belongs to (OCPI Sessions and CDRs go to it, and only to it):
 * the party whose START_SESSION for this station and idTag was alive when the session was
 * opened (the newest, if several), else the party that allowed the idTag on that station in
 * real time around the opening (ocpiRealtimeAuthorizationFor: the newest; its
 * authorization_reference goes with it), else the party whose cached token is the idTag
 * (ocpiTokenByUid); null when no eMSP has a claim (a local RFID card, a session of another backend).
 * `openedAt` is Doppel's own clock (charging_sessions.created_at), never the station's.
 */
export async function ocpiSessionParty(
  database: Database,
  tenantId: string,
  session: { deviceId: string; idTag: string | null; openedAt: Date },
): Promise<OcpiSessionOwner | null> {
  if (!session.idTag) return null;
  const [started] = await database.db
    .select()
    .from(ocpiSessionStarts)
    .where(
      and(
        eq(ocpiSessionStarts.tenantId, tenantId),
        eq(ocpiSessionStarts.deviceId, session.deviceId),
        eq(ocpiSessionStarts.idTag, session.idTag),
        lte(ocpiSessionStarts.createdAt, session.openedAt),
        gte(ocpiSessionStarts.expiresAt, session.openedAt),
      ),
    )
    .orderBy(desc(ocpiSessionStarts.createdAt))
    .limit(1);
  if (started)
    return {
      partyId: started.partyId,
      via: 'start-session',
      token: started.token,
      authorizationReference: started.authorizationReference,
      locationId: started.locationId,
      evseUid: started.evseUid,
      connectorId: started.connectorId,
    };
  // Nobody started it remotely: the eMSP that allowed the card in real time at the station.
  const allowed = await ocpiRealtimeAuthorizationFor(database, tenantId, {
    ...session,
    idTag: session.idTag,
  });
  if (allowed)
    return {
      partyId: allowed.partyId,
      via: 'authorize',
      token: allowed.token,
      authorizationReference: allowed.authorizationReference,
      locationId: null,
      evseUid: null,
      connectorId: null,
    };
  // Else the party whose cached token is its idTag (a roaming driver's card at the station).
  const cached = await ocpiTokenByUid(database, tenantId, session.idTag);
  if (cached)
    return {
      partyId: cached.ocpiPartyId,
      via: 'token',
      token: cached.token,
      authorizationReference: null,
      locationId: null,
      evseUid: null,
      connectorId: null,
    };
  return null;
}

/** Drops a START_SESSION's attribution when the station never got the command. */
export async function forgetOcpiSessionStart(
  database: Database,
  tenantId: string,
  commandId: string,
): Promise<void> {
  await database.db
    .delete(ocpiSessionStarts)
    .where(
      and(eq(ocpiSessionStarts.tenantId, tenantId), eq(ocpiSessionStarts.commandId, commandId)),
    );
}

/**
 * The party a charging session (by its id) belongs to: the one that holds it already
 * (ocpi_sessions), else ocpiSessionParty() of the session as opened; null for nobody's.
 */
export async function ocpiSessionPartyOf(
  database: Database,
  tenantId: string,
  sessionId: number,
): Promise<string | null> {
  const [row] = await database.sql<
    { held_by: string | null; device_id: string; id_tag: string | null; created_at: Date }[]
  >`
    select o.party_id as held_by, cs.device_id, cs.id_tag, cs.created_at
    from charging_sessions cs
    left join ocpi_sessions o on o.tenant_id = cs.tenant_id and o.session_id = cs.id
    where cs.tenant_id = ${tenantId} and cs.id = ${sessionId}`;
  if (!row) return null;
  if (row.held_by) return row.held_by;
  const owner = await ocpiSessionParty(database, tenantId, {
    deviceId: row.device_id,
    idTag: row.id_tag,
    openedAt: new Date(row.created_at),
  });
  return owner?.partyId ?? null;
}

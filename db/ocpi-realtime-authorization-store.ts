import { and, desc, eq, gte, lte, sql } from 'drizzle-orm';
import type { Database } from './client';
import { putOcpiToken } from './ocpi-token-store';
import { ocpiRealtimeAuthorizations } from './schema';
import { tokenKey } from '../twins/ocpi/tokens';

/**
 * How long after an eMSP's real-time `ALLOWED` a session the station opens with that idTag is
 * that eMSP's (as long as a START_SESSION's station accepts its idTag), and how long before:
 * the station's StartTransaction is itself authorised, and its answer is recorded just after
 * the session was opened.
 */
export const REALTIME_ATTRIBUTION_BEFORE = '10 minutes';
export const REALTIME_ATTRIBUTION_AFTER = '1 minute';

/** An eMSP's real-time ALLOWED, as the gateway records it. */
export interface OcpiRealtimeAuthorization {
  readonly tenantId: string;
  readonly partyId: string;
  readonly deviceId: string;
  readonly idTag: string;
  /** The AuthorizationInfo's Token (OCPI: the complete Token object). */
  readonly token: Record<string, unknown> & { uid: string; type: string; last_updated: string };
  readonly authorizationReference: string | null;
}

/**
 * Records an eMSP's real-time ALLOWED (on Doppel's clock), then caches its Token for that party
 * unless Doppel holds a newer one (the eMSP's pushes stay). The attribution reads the record
 * first: were the second write lost, the session is still the eMSP's, with its reference.
 */
export async function recordOcpiRealtimeAuthorization(
  database: Database,
  a: OcpiRealtimeAuthorization,
): Promise<void> {
  await database.db.insert(ocpiRealtimeAuthorizations).values({
    tenantId: a.tenantId,
    partyId: a.partyId,
    deviceId: a.deviceId,
    idTag: a.idTag,
    token: a.token,
    authorizationReference: a.authorizationReference,
  });
  await putOcpiToken(database, a.tenantId, a.partyId, tokenKey(a.token.uid), a.token, {
    onlyIfNewer: true,
  });
}

/**
 * The newest real-time ALLOWED for this station and idTag around a session's opening
 * (`openedAt`, Doppel's clock), or null.
 */
export async function ocpiRealtimeAuthorizationFor(
  database: Database,
  tenantId: string,
  session: { deviceId: string; idTag: string; openedAt: Date },
) {
  const opened = session.openedAt.toISOString();
  const [row] = await database.db
    .select()
    .from(ocpiRealtimeAuthorizations)
    .where(
      and(
        eq(ocpiRealtimeAuthorizations.tenantId, tenantId),
        eq(ocpiRealtimeAuthorizations.deviceId, session.deviceId),
        eq(ocpiRealtimeAuthorizations.idTag, session.idTag),
        gte(
          ocpiRealtimeAuthorizations.createdAt,
          sql`${opened}::timestamptz - ${REALTIME_ATTRIBUTION_BEFORE}::interval`,
        ),
        lte(
          ocpiRealtimeAuthorizations.createdAt,
          sql`${opened}::timestamptz + ${REALTIME_ATTRIBUTION_AFTER}::interval`,
        ),
      ),
    )
    .orderBy(desc(ocpiRealtimeAuthorizations.createdAt))
    .limit(1);
  return row ?? null;
}

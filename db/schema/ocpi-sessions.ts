import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tenantColumn } from './columns';

/**
 * START_SESSION commands Doppel passed on to a station: which eMSP asked, for which token,
 * on which EVSE. A charging session that starts on that station with that idTag while the
 * command lives (`createdAt` … `expiresAt`) belongs to that eMSP (db/ocpi-session-party.ts).
 */
export const ocpiSessionStarts = pgTable(
  'ocpi_session_starts',
  {
    tenantId: tenantColumn(),
    /** The twin command that carried START_SESSION to the station. */
    commandId: text().notNull(),
    partyId: text().notNull(),
    deviceId: text().notNull(),
    /** The idTag (1.6) or idToken (2.0.1) as sent to the station. */
    idTag: text().notNull(),
    /** The OCPI Token object the eMSP sent. */
    token: jsonb().$type<Record<string, unknown>>().notNull(),
    authorizationReference: text(),
    locationId: text().notNull(),
    evseUid: text(),
    connectorId: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.commandId] }),
    index().on(t.tenantId, t.deviceId, t.idTag, t.createdAt),
  ],
);

/** What Doppel last sent an eMSP about a session (PUT, then PATCHes): compared each round. */
export interface OcpiSessionSent {
  readonly status: string;
  readonly kwh: number;
  readonly endDateTime: string | null;
}

/**
 * Charging sessions that belong to an eMSP (the OCPI Sessions and CDRs it gets): one row per
 * charging session, written when the party's session push attributes it. `sessionId` is
 * `charging_sessions.id`, the OCPI Session and CDR id. `sent` is what the eMSP last got;
 * `cdrSentAt`/`cdrLocation` record the CDR's POST and the eMSP's Location header.
 */
export const ocpiSessions = pgTable(
  'ocpi_sessions',
  {
    tenantId: tenantColumn(),
    sessionId: integer().notNull(),
    partyId: text().notNull(),
    /** How the session was attributed: `start-session` (a START_SESSION) or `token` (cache). */
    via: text().notNull(),
    token: jsonb().$type<Record<string, unknown>>().notNull(),
    authorizationReference: text(),
    locationId: text().notNull(),
    evseUid: text().notNull(),
    connectorId: text().notNull(),
    sent: jsonb().$type<OcpiSessionSent>(),
    cdrSentAt: timestamp({ withTimezone: true }),
    cdrLocation: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** The newest change the push noticed (meter values move kwh without touching the session row). */
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.sessionId] }),
    index().on(t.tenantId, t.partyId, t.sessionId),
  ],
);

import { bigint, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenantColumn, timestamps } from './columns';

/** One module a party offers (OCPI's version details: `identifier`, `role`, `url`). */
export interface OcpiEndpoint {
  readonly identifier: string;
  readonly role: 'SENDER' | 'RECEIVER';
  readonly url: string;
}

/**
 * eMSPs a tenant roams with over OCPI 2.2.1, Doppel being their CPO. A party starts `pending`
 * with a token A (given to the eMSP out of band) and becomes `connected` by the credentials
 * handshake in either direction; `unregistered` after a DELETE of its credentials.
 *
 * Tokens an eMSP presents to Doppel (A before the handshake, C after) are kept as SHA-256
 * hashes: Doppel only compares them. Token B, which Doppel presents to the eMSP, stays readable
 * because Doppel sends it; it is never read back through the API.
 */
export const ocpiParties = pgTable(
  'ocpi_parties',
  {
    tenantId: tenantColumn(),
    partyId: text().notNull(),
    /** Doppel's own identity towards this eMSP (the CPO's CredentialsRole). */
    cpoCountryCode: text().notNull(),
    cpoPartyId: text().notNull(),
    cpoName: text().notNull(),
    /** The eMSP's identity, as its credentials named it (null until the handshake). */
    countryCode: text(),
    partyCode: text(),
    name: text(),
    status: text().$type<'pending' | 'connected' | 'unregistered'>().notNull(),
    tokenAHash: text(),
    tokenCHash: text(),
    tokenB: text(),
    /** The eMSP's versions URL and the 2.2.1 endpoints its version details listed. */
    versionsUrl: text(),
    endpoints: jsonb().$type<OcpiEndpoint[]>().notNull().default([]),
    /** The last outbox id the push to this eMSP handled (workflows/ocpi-push). */
    pushCursor: bigint({ mode: 'number' }).notNull().default(0),
    version: bigint({ mode: 'number' }).notNull().default(1),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.partyId] }),
    // A token names one party in the whole installation: requests carry no tenant.
    uniqueIndex('ocpi_parties_token_a').on(t.tokenAHash),
    uniqueIndex('ocpi_parties_token_c').on(t.tokenCHash),
  ],
);

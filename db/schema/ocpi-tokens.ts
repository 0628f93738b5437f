import {
  foreignKey,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { tenantColumn } from './columns';
import { ocpiParties } from './ocpi-parties';

/**
 * The tokens (RFID cards, app users) eMSPs push to Doppel (OCPI 2.2.1 Tokens, CPO = Receiver),
 * kept as the Token objects they sent: stations' idTags are authorised against them
 * (docs/ocpi.md, "Tokens (Receiver)"). A token is the eMSP's: `(uid, type)` within one party.
 */
export const ocpiTokens = pgTable(
  'ocpi_tokens',
  {
    tenantId: tenantColumn(),
    /** The party (eMSP) that pushed it; its country code and party id are in the token. */
    ocpiPartyId: text().notNull(),
    uid: text().notNull(),
    type: text().notNull(),
    token: jsonb().$type<Record<string, unknown>>().notNull(),
    /** The token's own `last_updated`, as the eMSP set it. */
    lastUpdated: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.ocpiPartyId, t.uid, t.type] }),
    // Stations name a token by its uid only (an OCPP idTag): looked up across the tenant's parties.
    index('ocpi_tokens_uid').on(t.tenantId, t.uid),
    // A removed party's tokens go with it: they authorise nothing any more.
    foreignKey({
      columns: [t.tenantId, t.ocpiPartyId],
      foreignColumns: [ocpiParties.tenantId, ocpiParties.partyId],
    }).onDelete('cascade'),
  ],
);

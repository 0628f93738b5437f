/** OCPI 2.2.1 roaming: the eMSPs a tenant exchanges with as their CPO (docs/ocpi.md). */
export const ocpiTypeDefs = /* GraphQL */ `
  enum OcpiPartyStatus {
    "Registered in Doppel; waits for the credentials handshake (token A)."
    PENDING
    "The handshake is done: the eMSP and Doppel call each other with tokens C and B."
    CONNECTED
    "The eMSP deleted its credentials; a new token A lets it register again."
    UNREGISTERED
  }

  "A module an eMSP offers, from its OCPI version details."
  type OcpiEndpoint {
    identifier: String!
    "SENDER or RECEIVER"
    role: String!
    url: String!
  }

  "An eMSP the tenant roams with over OCPI 2.2.1, Doppel being its CPO. Tokens are never shown."
  type OcpiParty {
    id: ID!
    "Doppel's identity towards this eMSP: ISO 3166-1 country and 3-character party id."
    cpoCountryCode: String!
    cpoPartyId: String!
    cpoName: String!
    status: OcpiPartyStatus!
    "The eMSP's identity, from the handshake."
    emspCountryCode: String
    emspPartyId: String
    emspName: String
    "The eMSP's versions URL."
    versionsUrl: String
    "The eMSP's OCPI 2.2.1 modules."
    endpoints: [OcpiEndpoint!]!
    "Bumped on every change (handshakes included)."
    version: Int!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type OcpiPartyWithSecret {
    party: OcpiParty!
    "Token A: give it to the eMSP with versionsUrl; it registers with it once. Shown this once."
    tokenA: String!
    "Doppel's OCPI versions URL, where the eMSP starts."
    versionsUrl: String!
  }

  input RegisterOcpiPartyInput {
    tenantId: ID!
    id: ID!
    "Doppel's country towards this eMSP (ISO 3166-1 alpha-2)."
    cpoCountryCode: String!
    "Doppel's party id towards this eMSP (3 letters or digits)."
    cpoPartyId: String!
    "Doppel's business name towards this eMSP."
    cpoName: String!
  }

  "The fields given replace the stored ones; a null or missing field keeps it."
  input UpdateOcpiPartyInput {
    tenantId: ID!
    id: ID!
    cpoCountryCode: String
    cpoPartyId: String
    cpoName: String
  }

  type RemoveOcpiPartyPayload {
    "False when there was no such party."
    removed: Boolean!
  }

  "A site published as an OCPI Location: its EVSEs are the site's assets, live from their stations."
  type OcpiLocation {
    siteId: ID!
    "OCPI Location fields: address, city, country, coordinates, time_zone, opening_times, …"
    details: JSONObject!
    "Whether eMSPs see it."
    publish: Boolean!
    updatedAt: DateTime!
  }

  type RemoveOcpiLocationPayload {
    "False when the site was not an OCPI Location."
    removed: Boolean!
  }

  "A tariff as OCPI publishes it, and where it applies."
  type OcpiTariff {
    tariffId: ID!
    "OCPI Tariff fields: currency, elements, tariff_alt_text, tariff_alt_url, …"
    details: JSONObject!
    "Sites (Locations) whose EVSEs it applies to, unless an EVSE has its own."
    siteIds: [ID!]!
    "Assets (EVSEs) it applies to."
    assetIds: [ID!]!
    updatedAt: DateTime!
  }

  type RemoveOcpiTariffPayload {
    "False when there was no such tariff."
    removed: Boolean!
  }

  extend type Query {
    ocpiTariffs(tenantId: ID!): [OcpiTariff!]!
    ocpiLocations(tenantId: ID!): [OcpiLocation!]!
    ocpiParties(tenantId: ID!): [OcpiParty!]!
    ocpiParty(tenantId: ID!, ocpiPartyId: ID!): OcpiParty
  }

  extend type Mutation {
    """
    Adds an eMSP that registers with Doppel: returns token A and Doppel's versions URL, for the
    eMSP's POST /credentials. Refused with ocpi:party.exists or ocpi:input.invalid.
    """
    registerOcpiParty(input: RegisterOcpiPartyInput!): OcpiPartyWithSecret!
    "Changes Doppel's identity towards an eMSP. Refused with ocpi:party.not-found."
    updateOcpiParty(input: UpdateOcpiPartyInput!): OcpiParty!
    "A new token A (the old one stops working), for an eMSP to register again."
    renewOcpiPartyToken(tenantId: ID!, ocpiPartyId: ID!): OcpiPartyWithSecret!
    """
    Doppel registers with an eMSP, given the eMSP's versions URL and the token A it issued:
    Doppel reads its endpoints and POSTs its credentials; the party is CONNECTED when this
    returns. Refused with ocpi:party.not-found, ocpi:party.connected, egress:forbidden, or ocpi:peer.* (the eMSP's
    API could not be used, with why).
    """
    connectOcpiParty(
      tenantId: ID!
      ocpiPartyId: ID!
      versionsUrl: String!
      token: String!
    ): OcpiParty!
    """
    Publishes a site as an OCPI Location with OCPI's own fields (address, city, country as
    ISO 3166-1 alpha-3, coordinates as strings, time_zone; optional AFIR fields such as
    opening_times and energy_mix). Refused with ocpi:input.invalid (with the reasons) or
    ocpi:site.not-found.
    """
    setOcpiLocation(
      tenantId: ID!
      siteId: ID!
      location: JSONObject!
      publish: Boolean = true
    ): OcpiLocation!
    """
    Sets a tariff (OCPI's fields: currency as ISO 4217, elements with price components, and
    AFIR's tariff_alt_text / tariff_alt_url) and where it applies: its sites' EVSEs, and its
    assets' EVSEs (an asset's own tariffs replace its site's). Refused with ocpi:input.invalid.
    """
    setOcpiTariff(
      tenantId: ID!
      tariffId: ID!
      tariff: JSONObject!
      siteIds: [ID!] = []
      assetIds: [ID!] = []
    ): OcpiTariff!
    "Removes a tariff: EVSEs no longer name it."
    removeOcpiTariff(tenantId: ID!, tariffId: ID!): RemoveOcpiTariffPayload!
    "Withdraws a site from OCPI: eMSPs no longer see it."
    removeOcpiLocation(tenantId: ID!, siteId: ID!): RemoveOcpiLocationPayload!
    "Removes an eMSP: its tokens stop working at once."
    removeOcpiParty(tenantId: ID!, ocpiPartyId: ID!): RemoveOcpiPartyPayload!
  }
`;

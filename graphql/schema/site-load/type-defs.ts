/** A site's power limit and load management (docs/smart-charging.md). */
export const siteLoadTypeDefs = /* GraphQL */ `
  "W caps the sum of the sessions' power; A caps the current per phase."
  enum PowerUnit {
    W
    A
  }

  enum LoadPolicyKind {
    "Everyone charging gets the same, lifted to its minimum or capped at its maximum."
    EQUAL_SHARE
    "Minimums first, then the highest priority gets what is left before the next."
    PRIORITY
  }

  "A priority for a connector (stationId/connectorId, EVSE for OCPP 2.0.1) or a token; higher first."
  input SiteLoadPriorityInput {
    connector: String
    token: String
    priority: Int!
  }

  input SetSiteLoadLimitInput {
    tenantId: ID!
    siteId: ID!
    limit: Float!
    unit: PowerUnit!
    "1 or 3; required with A."
    phases: Int
    "Default EQUAL_SHARE."
    policy: LoadPolicyKind
    "In the limit's unit: a session charges with at least this, or waits with 0."
    minimumPerSession: Float
    priorities: [SiteLoadPriorityInput!]
    "How long an offline station's share stays held before the others get it; default 300."
    releaseDelaySeconds: Float
  }

  "One session's limit as load management set it."
  type SessionShare {
    sessionId: ID!
    stationId: ID!
    "The connector (OCPP 1.6) or EVSE (2.0.1)."
    connectorId: Int!
    limit: Float!
    priority: Float!
    "Its minimum did not fit: it gets 0 until power frees up."
    waiting: Boolean!
    "Its station is offline: its share is kept until the release delay has passed."
    held: Boolean!
  }

  "A TxProfile sent to a station, and what the station answered."
  type ProfileSent {
    sessionId: ID!
    stationId: ID!
    limit: Float!
    "The command's outcome: succeeded, rejected, failed, timed-out or expired; not-found or refused when the station's twin is gone or refuses commands (retired)."
    status: String!
  }

  "Load management's TxDefaultProfile sent to a station (SET_DEFAULT), or the ClearChargingProfile of a profile it set (CLEAR, when the limit is removed), and what the station answered."
  type StationProfileSent {
    stationId: ID!
    action: StationProfileAction!
    "6000 for the TxDefaultProfile, 7000 + connector (EVSE) for a session's TxProfile."
    profileId: Int!
    "The default's limit; null for a clear."
    limit: Float
    "As ProfileSent's, or queued: the station is offline and hears it when it is back."
    status: String!
  }

  enum StationProfileAction {
    SET_DEFAULT
    CLEAR
  }

  "One recomputation: why, the shares decided, the profiles sent (lowered ones first)."
  type SiteLoadStep {
    at: DateTime!
    reason: String!
    siteLimit: Float!
    "The shares plus what idle connectors keep (reserved): never more than siteLimit, unless offline stations alone hold more."
    allocated: Float!
    "What a session starting on an idle connector draws until its TxProfile arrives (every station's TxDefaultProfile): the minimum per session when the limit can keep it for every idle connector, else 0."
    startLimit: Float!
    "Kept for idle connectors (connectors without a session, of stations counted)."
    reserved: Float!
    shares: [SessionShare!]!
    sent: [ProfileSent!]!
    "TxDefaultProfiles sent in this step, or clears when the limit was removed."
    stationProfiles: [StationProfileSent!]!
  }

  type SiteLoad {
    siteId: ID!
    limit: Float!
    unit: PowerUnit!
    phases: Int
    policy: LoadPolicyKind!
    minimumPerSession: Float
    releaseDelaySeconds: Float!
    updatedBy: String!
    updatedAt: DateTime!
    "The shares in force (the newest step's)."
    shares: [SessionShare!]!
    "Newest first, the last 50."
    history: [SiteLoadStep!]!
  }

  extend type Query {
    "The site's limit, policy and current allocation; null when the site has no limit."
    siteLoad(tenantId: ID!, siteId: ID!): SiteLoad
  }

  extend type Mutation {
    "Sets (or changes) a site's power limit and policy; its load manager recomputes at once."
    setSiteLoadLimit(input: SetSiteLoadLimitInput!): SiteLoad!
    "Removes a site's power limit: its load manager clears the TxDefaultProfiles and TxProfiles it set and ends. Answers the last state (its last step shows each station's answer), or null when the site had no limit."
    removeSiteLoadLimit(tenantId: ID!, siteId: ID!): SiteLoad
  }
`;

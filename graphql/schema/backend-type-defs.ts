/**
 * Backends as data: the upstream OCPP CSMSs and webhooks a tenant's device traffic goes to, and
 * the OCPI parties whose view of the tenant's stations is narrowed.
 */
export const backendTypeDefs = /* GraphQL */ `
  enum BackendKind {
    "An upstream OCPP CSMS: one WebSocket per station, in the station's own OCPP version."
    OCPP
    "An HTTP endpoint receiving every device's messages, signed with HMAC-SHA256."
    WEBHOOK
    "An OCPI party (eMSP): it sees only the stations its enabled OCPI backends match."
    OCPI
  }
  enum BackendRole {
    "Its answers go back to the station; one per station."
    PRIMARY
    "Gets copies; its answers are dropped."
    SECONDARY
  }

  "Which devices a backend takes: every device of the tenant unless narrowed."
  type BackendMatch {
    "Only these devices; null = any device."
    devices: [ID!]
    "Only devices registered with these models; null = any model."
    models: [String!]
  }

  "A backend as stored. Its secret is write-only: hasSecret says whether one is set."
  type Backend {
    id: ID!
    kind: BackendKind!
    "Null for OCPI backends."
    url: String
    "The OCPI party whose view this backend narrows; null for the other kinds."
    ocpiPartyId: ID
    "Null for webhooks and OCPI backends."
    role: BackendRole
    enabled: Boolean!
    match: BackendMatch!
    "OCPP actions the backend may send to a station; empty for webhooks and OCPI backends."
    allowedActions: [String!]!
    "How long a station's CALL waits for the primary's answer; null for the other kinds."
    replyTimeoutMs: Int
    "Messages held per device while the backend is unreachable; the oldest go first. Null for OCPI."
    bufferLimit: Int
    hasSecret: Boolean!
    "Bumped on every change."
    version: Int!
    updatedAt: DateTime!
  }

  input BackendMatchInput {
    devices: [ID!]
    models: [String!]
  }

  input RegisterBackendInput {
    tenantId: ID!
    id: ID!
    kind: BackendKind!
    "ws:// or wss:// for OCPP, http:// or https:// for webhooks (required); none for OCPI."
    url: String
    "OCPI only (required): a party of the same tenant."
    ocpiPartyId: ID
    "OCPP only; default SECONDARY."
    role: BackendRole
    "Default true."
    enabled: Boolean
    "Default: every device of the tenant."
    match: BackendMatchInput
    "OCPP only; default none."
    allowedActions: [String!]
    "OCPP only; 100–300000, default 10000."
    replyTimeoutMs: Int
    "1–100000, default 1000; not for OCPI."
    bufferLimit: Int
    "Webhook HMAC key (at least 16 characters, required) or OCPP Basic-auth password (at least 8)."
    secret: String
  }

  "Changes a backend: the fields given replace the stored ones; a null or missing field keeps it."
  input UpdateBackendInput {
    tenantId: ID!
    id: ID!
    "Cannot change (routing:backend.kind-immutable): remove the backend and register it anew."
    kind: BackendKind
    url: String
    ocpiPartyId: ID
    role: BackendRole
    enabled: Boolean
    "Replaces the whole match; {} = every device."
    match: BackendMatchInput
    allowedActions: [String!]
    replyTimeoutMs: Int
    bufferLimit: Int
    "Missing keeps the stored secret."
    secret: String
  }

  type RemoveBackendPayload {
    "False when there was no such backend."
    removed: Boolean!
  }

  extend type Query {
    backends(tenantId: ID!): [Backend!]!
    backend(tenantId: ID!, backendId: ID!): Backend
  }

  extend type Mutation {
    """
    Adds a backend; gateways (and, for OCPI, the party's next pull or push) pick it up at once.
    Refused with routing:backend.invalid and the reasons (for OCPI also an unknown party),
    routing:backend.exists, or routing:backend.primary-conflict when another enabled
    primary may take the same stations.
    """
    registerBackend(input: RegisterBackendInput!): Backend!
    "Changes a backend (re-validated as a whole). Refused with the codes of registerBackend or routing:backend.unknown."
    updateBackend(input: UpdateBackendInput!): Backend!
    "Removes a backend; gateways close its links at once."
    removeBackend(tenantId: ID!, backendId: ID!): RemoveBackendPayload!
  }
`;

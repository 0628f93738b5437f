/** Who the caller is, API keys and the audit trail of mutations. */
export const accessTypeDefs = /* GraphQL */ `
  enum Role {
    PLATFORM_ADMIN
    TENANT_ADMIN
    OPERATOR
    INSTALLER
    VIEWER
    PARTNER
  }

  "The caller, as the API authenticated it."
  type Me {
    "user:<sub> for a JWT, key:<keyId> for an API key; the actor of everything it does."
    actor: String!
    role: Role!
    "The tenant it acts in; null for PLATFORM_ADMIN, which may act in every tenant."
    tenantId: ID
  }

  "A partner's or an integration's key. Its secret is shown once, when it is created."
  type ApiKey {
    keyId: ID!
    name: String!
    role: Role!
    createdBy: String!
    createdAt: DateTime!
    revokedAt: DateTime
  }

  input CreateApiKeyInput {
    tenantId: ID!
    "What it is for, e.g. 'billing partner'."
    name: String!
    "Any role but PLATFORM_ADMIN; usually PARTNER."
    role: Role!
  }

  type CreateApiKeyPayload {
    apiKey: ApiKey!
    "Authorization: Bearer <key>. Shown once: only a hash is stored."
    key: String!
  }

  scalar JSON

  "One mutation through the API (refused ones too), or one change a twin recorded (role twin)."
  type AuditEntry {
    id: ID!
    actor: String!
    "The caller's role, or twin for a change a twin recorded."
    role: String!
    "An API mutation's name, or device.<event> for a twin's change."
    operation: String!
    "The mutation's arguments; secrets and file contents redacted."
    input: JSONObject!
    "ok, or the code the mutation was refused with."
    outcome: String!
    at: DateTime!
    "What a twin's change changed, e.g. device:charger-7."
    subject: String
    reason: String
    before: JSON
    after: JSON
  }

  input AuditFilter {
    "device:<id>, …"
    subject: String
    operation: String
    actor: String
    "API mutations only (true) or twins' changes only (false)."
    api: Boolean
    "At or after this time."
    from: DateTime
    "Before this time."
    to: DateTime
  }

  type AuditEntryEdge {
    cursor: String!
    node: AuditEntry!
  }

  "Newest first."
  type AuditEntryConnection {
    edges: [AuditEntryEdge!]!
    nodes: [AuditEntry!]!
    pageInfo: PageInfo!
  }

  extend type Query {
    me: Me!
    apiKeys(tenantId: ID!): [ApiKey!]!
    auditEntries(
      tenantId: ID!
      filter: AuditFilter
      first: Int
      after: String
    ): AuditEntryConnection!
  }

  extend type Device {
    "The audit entries about this device (API mutations and its twin's changes), newest first (tenant-admin)."
    auditEntries(first: Int, after: String): AuditEntryConnection!
  }
  extend type Asset {
    "The audit entries about this asset, newest first (tenant-admin)."
    auditEntries(first: Int, after: String): AuditEntryConnection!
  }
  extend type Site {
    "The audit entries about this site, newest first (tenant-admin)."
    auditEntries(first: Int, after: String): AuditEntryConnection!
  }

  extend type Mutation {
    createApiKey(input: CreateApiKeyInput!): CreateApiKeyPayload!
    "Revoked at once: the next request with it is refused."
    revokeApiKey(tenantId: ID!, keyId: ID!): ApiKey!
  }
`;

/** The tenant's ledger, read page by page for an export bundle (docs/ledger.md). */
export const ledgerTypeDefs = /* GraphQL */ `
  "One record in the tenant's hash chain: body is the exact text hashed."
  type LedgerEntry {
    seq: Int!
    "session or audit; the body's type."
    kind: String!
    "The record's id; the body's id."
    recordId: ID!
    "Canonical JSON (RFC 8785)."
    body: String!
    prevHash: String!
    "SHA-256 (hex) of prevHash, a newline and body."
    hash: String!
  }

  "A signed statement of the chain's head: statement is the exact text signed (Ed25519)."
  type LedgerCheckpoint {
    seq: Int!
    headHash: String!
    keyId: String!
    statement: String!
    "Base64."
    signature: String!
    signedAt: DateTime!
  }

  type LedgerKey {
    keyId: ID!
    "SubjectPublicKeyInfo PEM (Ed25519)."
    publicKey: String!
  }

  extend type Query {
    "Entries after afterSeq, in order; first: 1–500 (default 500)."
    ledgerEntries(tenantId: ID!, afterSeq: Int = 0, first: Int = 500): [LedgerEntry!]!
    "Checkpoints after afterSeq, oldest first; first: 1–500 (default 500)."
    ledgerCheckpoints(tenantId: ID!, afterSeq: Int = 0, first: Int = 500): [LedgerCheckpoint!]!
    "The public keys checkpoints are signed with."
    ledgerKeys(tenantId: ID!): [LedgerKey!]!
  }
`;

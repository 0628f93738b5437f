/** Fault fingerprints: device faults grouped by fault, firmware and model (docs/alarms.md). */
export const faultTypeDefs = /* GraphQL */ `
  enum FaultStatus {
    OPEN
    "An operator resolved it (optionally naming the firmware the fix ships in)."
    RESOLVED
    "It occurred again after it was resolved."
    REGRESSED
  }

  "A fault fingerprint: every raise of the same fault on the same firmware and model (docs/alarms.md)."
  type FaultFingerprint {
    "sha256 (32 hex digits) of error code, vendor code, firmware and model."
    fingerprint: ID!
    "The alarm type that was raised."
    errorCode: String!
    "The vendor's code, when the alarm carried one."
    vendorCode: String
    "The device's firmware when the fault was raised."
    firmware: String
    model: String
    firstSeen: DateTime!
    lastSeen: DateTime!
    "Occurrences (alarm raises)."
    count: Int!
    "Devices it was seen on."
    devicesAffected: Int!
    status: FaultStatus!
    resolvedAt: DateTime
    resolvedBy: String
    resolvedInFirmware: String
    "When it last regressed."
    regressedAt: DateTime
  }

  type FaultFingerprintEdge {
    cursor: String!
    node: FaultFingerprint!
  }
  "Last seen first."
  type FaultFingerprintConnection {
    edges: [FaultFingerprintEdge!]!
    nodes: [FaultFingerprint!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  "Every condition given must hold."
  input FaultFingerprintFilter {
    status: FaultStatus
    model: String
    firmware: String
  }

  extend type Query {
    "A tenant's fault fingerprints, last seen first. first: 1–500, default 50."
    faultFingerprints(
      tenantId: ID!
      filter: FaultFingerprintFilter
      first: Int
      after: String
    ): FaultFingerprintConnection!
  }

  extend type Mutation {
    "Resolves a fingerprint; resolvedInFirmware names the firmware the fix ships in (occurrences on older firmware are then expected, not regressions). fault:unknown when there is none."
    resolveFault(tenantId: ID!, fingerprint: ID!, resolvedInFirmware: String): FaultFingerprint!
  }
`;

/** Charging session records (CDRs): one per real session, immutable, in the tenant's ledger. */
export const sessionRecordTypeDefs = /* GraphQL */ `
  "A signed meter value's check against the meter key registered for its station."
  enum MeterSignatureVerdict {
    "The signature matches the registered key."
    VALID
    "It does not (changed data, another meter's key, a key on another curve), or the OCMF is malformed."
    INVALID
    "No meter key is registered for the station (setMeterPublicKey)."
    NO_KEY
    "An encoding or algorithm the verifier cannot check (not OCMF, a signature not in hex DER, …)."
    UNSUPPORTED
  }

  "What the check of one signed meter value found when it arrived."
  type MeterSignatureCheck {
    verdict: MeterSignatureVerdict!
    "Why, in words an operator can act on."
    reason: String!
    "OCMF SA, when the data set names it."
    signingMethod: String
    "OCMF MS: the meter's serial number."
    meterSerial: String
    "OCMF PG: the meter's pagination counter, e.g. T12."
    pagination: String
    "The registered key (hex DER) it was checked against; null without one."
    publicKey: String
  }

  "A gap or repeat in one meter's OCMF pagination counter within a session."
  type MeterPaginationIssue {
    meterSerial: String
    "T (transaction data sets) or F (fiscal ones)."
    series: String!
    "Numbers between the session's lowest and highest that never arrived (the first 100)."
    missing: [Int!]!
    "Numbers that came with two or more different data sets."
    repeated: [Int!]!
  }

  "Signed meter data exactly as the charger sent it (OCMF, …), checked against the station's registered meter key (never publicKey, which the charger sent)."
  type SignedMeterValue {
    "The meter value's timestamp, as the charger wrote it."
    at: String!
    context: String
    measurand: String
    "OCPP 1.6: SignedData; null in 2.0.1."
    format: String
    "The signed string, byte for byte as received."
    data: String!
    signingMethod: String
    encodingMethod: String
    "The key the charger sent with the value (2.0.1), as it sent it; it verifies nothing."
    publicKey: String
    "The check against the station's registered meter key when the value arrived; null for values kept before checks existed."
    verification: MeterSignatureCheck
  }

  "Something that arrived about a session after its record was written (the record never changes)."
  type SessionRecordNote {
    "A stable code, e.g. session:stop.duplicate, session:stop.conflict, session:event.after-end."
    code: String!
    count: Int!
    firstAt: DateTime!
    lastAt: DateTime!
  }

  "Where a record sits in the tenant's hash chain (the ledger)."
  type LedgerPosition {
    seq: Int!
    hash: String!
  }

  "One charging session (a CDR), written when it ended."
  type SessionRecord {
    "The record's id, also its recordId in the ledger."
    id: ID!
    tenantId: ID!
    deviceId: ID!
    device: Device
    "ocpp1.6 or ocpp2.0.1."
    protocol: String!
    transactionId: String!
    evseId: Int
    connectorId: Int
    idTag: String
    "Null when the start never arrived."
    startedAt: DateTime
    stoppedAt: DateTime!
    meterStartWh: Float
    meterStopWh: Float
    "Energy delivered in kWh; null when it cannot be derived (see flags)."
    energyKWh: Float
    stopReason: String
    "Stable codes of what was wrong when the session ended, e.g. session:stop.without-start."
    flags: [String!]!
    "What arrived later about the session (duplicate or conflicting stops, late events)."
    notes: [SessionRecordNote!]!
    "Whether energyKWh adds to totals: known, and no flag makes the record doubtful."
    counted: Boolean!
    "Replayed from the charger's offline queue (said so, or received late)."
    offline: Boolean!
    "Where the device was installed when the session started."
    siteId: ID
    assetId: ID
    customerId: ID
    site: Site
    asset: Asset
    signedMeterData: [SignedMeterValue!]!
    "The worst verdict of the signed values' checks; null without signed values. INVALID also flags session:signature.invalid."
    signatureVerdict: MeterSignatureVerdict
    "Gaps and repeats in each meter's OCMF pagination counter (also flagged session:pagination.gap / .repeat)."
    paginationIssues: [MeterPaginationIssue!]!
    recordedAt: DateTime!
    ledger: LedgerPosition
  }

  type SessionRecordEdge {
    cursor: String!
    node: SessionRecord!
  }
  type SessionRecordConnection {
    edges: [SessionRecordEdge!]!
    nodes: [SessionRecord!]!
    pageInfo: PageInfo!
    "All matching records, not only this page."
    totalCount: Int!
    "Energy of all matching records that count (kWh); flagged ones never add to it."
    totalEnergyKWh: Float!
  }

  "Every field narrows the list; omitted fields do not."
  input SessionRecordFilter {
    deviceId: ID
    siteId: ID
    assetId: ID
    "Stopped at or after."
    from: DateTime
    "Stopped before."
    to: DateTime
    "true: with a flag or a note; false: clean records only."
    flagged: Boolean
  }

  extend type Query {
    "A tenant's session records in the order they were written. first: 1–500, default 50."
    sessionRecords(
      tenantId: ID!
      filter: SessionRecordFilter
      first: Int
      after: String
    ): SessionRecordConnection!
    sessionRecord(tenantId: ID!, id: ID!): SessionRecord
  }

  extend type Device {
    sessionRecords(filter: SessionRecordFilter, first: Int, after: String): SessionRecordConnection!
  }
  extend type Asset {
    "Sessions of the devices bound to this asset when they started."
    sessionRecords(filter: SessionRecordFilter, first: Int, after: String): SessionRecordConnection!
  }
  extend type Site {
    sessionRecords(filter: SessionRecordFilter, first: Int, after: String): SessionRecordConnection!
  }
`;

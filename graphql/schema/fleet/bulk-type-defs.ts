/**
 * Bulk provisioning from a CSV or JSON file (issue 6): one workflow registers the rows in
 * batches (issue 18); only rows that need one start a provisioning workflow.
 */
export const bulkProvisioningTypeDefs = /* GraphQL */ `
  enum BulkFileFormat {
    "A header row, then one device per line (columns in docs/fleet-operations.md)."
    CSV
    "An array of objects shaped like ProvisionDeviceInput without tenantId."
    JSON
  }

  enum BulkProvisioningStatus {
    "Rows are being registered (in batches) or submitted to their provisioning workflows."
    SUBMITTING
    "Every row was registered or submitted; activation goes on as devices connect."
    SUBMITTED
  }

  enum BulkRowStatus {
    PENDING
    "Registered in a batch: its record and identity were written, no workflow started (its twin starts on first need)."
    REGISTERED
    "Its provisioning workflow was started by this bulk (the row expects firmware, model or configuration at activation, names an asset, or the tenant has an admission hook)."
    STARTED
    "The serial was registered (or given credentials) before this bulk got to it: the secret issued for the row is void."
    ALREADY_REGISTERED
    "The serial was provisioned before this bulk got to it: the secret issued for the row is void."
    ALREADY_PROVISIONED
    "Refused when the file was accepted (provisioned or registered before: no secret was issued), or by the twin when registered (reason starts with its code)."
    REFUSED
    "It could not be registered, or its provisioning could not be started (reason)."
    FAILED
  }

  "What every row gets unless it says otherwise (a row's own value wins; expect is merged field by field)."
  input BulkProvisionDefaultsInput {
    model: String
    method: ProvisioningMethod
    claimExpiresInS: Int
    tags: [String!]
    desired: JSONObject
    expect: ActivationExpectInput
    activationTimeoutS: Int
  }

  input ProvisionDevicesInput {
    tenantId: ID!
    format: BulkFileFormat!
    "The file's content: at most 10,000 rows and 4 MiB."
    content: String!
    defaults: BulkProvisionDefaultsInput
  }

  type BulkIdentity {
    "Where the row is: the CSV line, or the JSON item (1-based)."
    line: Int!
    serial: ID!
    method: ProvisioningMethod!
    "The device's secret (CREDENTIALS) or its claim token (CLAIM), shown this once."
    secret: String!
  }

  type BulkRowRefusal {
    line: Int!
    serial: ID!
    reason: String!
  }

  type ProvisionDevicesPayload {
    bulkId: ID!
    "The bulk provisioning workflow (Temporal UI shows each page of rows submitted)."
    workflowId: ID!
    "Rows in the file."
    total: Int!
    "Rows going to provisioning: each has its identity below."
    accepted: Int!
    "Secrets and claim tokens of the accepted rows, shown this once: only their hashes are kept."
    identities: [BulkIdentity!]!
    "Rows refused up front (their serial was provisioned or registered before)."
    refused: [BulkRowRefusal!]!
  }

  type BulkProvisioningCounts {
    pending: Int!
    registered: Int!
    started: Int!
    alreadyRegistered: Int!
    alreadyProvisioned: Int!
    refused: Int!
    failed: Int!
    "Rows no longer pending."
    submitted: Int!
    "Of the started and registered rows, by their provisioning's status (a registered row's follows its lifecycle):"
    admitting: Int!
    awaitingActivation: Int!
    active: Int!
    provisioningRefused: Int!
    provisioningFailed: Int!
    "Rows whose outcome is final: neither started nor registered, or provisioning ended (active, refused, failed)."
    settled: Int!
  }

  type BulkProvisioningRow {
    "Order in the file (0-based): the cursor of rows(after:)."
    position: Int!
    line: Int!
    serial: ID!
    method: ProvisioningMethod!
    status: BulkRowStatus!
    reason: String
    "The provisioning this bulk started for the row; for a registered row AWAITING_ACTIVATION until its device first connects, then ACTIVE (null otherwise)."
    provisioningStatus: ProvisioningStatus
    provisioningReason: String
  }

  type BulkProvisioning {
    tenantId: ID!
    bulkId: ID!
    workflowId: ID!
    status: BulkProvisioningStatus!
    total: Int!
    counts: BulkProvisioningCounts!
    "Rows in file order after a position (at most 1,000), optionally with one status or provisioning status."
    rows(
      first: Int = 100
      after: Int
      status: BulkRowStatus
      provisioningStatus: ProvisioningStatus
    ): [BulkProvisioningRow!]!
    createdBy: String!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  extend type Query {
    bulkProvisioning(tenantId: ID!, bulkId: ID!): BulkProvisioning
  }

  extend type Mutation {
    "Provisions every device of a CSV or JSON file: all rows are validated first (any invalid row: nothing starts, error provisioning:bulk.invalid names each by line), then one workflow submits them."
    provisionDevices(input: ProvisionDevicesInput!): ProvisionDevicesPayload!
  }
`;

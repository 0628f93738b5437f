/** Provisioning: devices added in a controlled way, their activation verified (issue 6). */
export const provisioningTypeDefs = /* GraphQL */ `
  enum ProvisioningMethod {
    "Credentials generated now and shown once in the answer."
    CREDENTIALS
    "A claim token the device presents with its serial on first connect to receive its own credentials."
    CLAIM
  }

  enum ProvisioningStatus {
    ADMITTING
    REFUSED
    AWAITING_ACTIVATION
    ACTIVE
    FAILED
  }

  "What activation must show: a first connection plus these."
  input ActivationExpectInput {
    model: String
    firmware: String
    "Reported fields (dot paths) and their expected values, e.g. { \\"config.interval\\": 60 }."
    reported: JSONObject
  }

  input ProvisionDeviceInput {
    tenantId: ID!
    "The device's serial: its device id. Provisioning is idempotent by serial."
    serial: ID!
    model: String
    method: ProvisioningMethod = CREDENTIALS
    "A claim token of your own (≥ 16 characters, e.g. printed on the device); generated when left out."
    claimToken: String
    "How long the claim token may be used, in seconds (default 7 days)."
    claimExpiresInS: Int
    "The asset the device is installed in (its site and customer come with it)."
    assetId: ID
    tags: [String!]
    "Desired configuration the device receives when it connects."
    desired: JSONObject
    expect: ActivationExpectInput
    "Activation must be verified within this time, in seconds (default 7 days)."
    activationTimeoutS: Int
  }

  type Provisioning {
    tenantId: ID!
    serial: ID!
    "The provisioning workflow (Temporal UI shows each step)."
    workflowId: ID!
    status: ProvisioningStatus!
    "Why it was refused or failed; while awaiting activation, what is still missing."
    reason: String
    method: ProvisioningMethod!
    requestedBy: String!
    requestedAt: DateTime!
    claimedAt: DateTime
    activatedAt: DateTime
  }

  type ProvisionDevicePayload {
    workflowId: ID!
    "False when this serial was provisioned before: nothing new was created and no secret is shown."
    created: Boolean!
    "The state once past admission (a refusing admission hook answers here)."
    status: ProvisioningStatus!
    reason: String
    "The device's secret (method CREDENTIALS), shown this once."
    secret: String
    "The claim token (method CLAIM), shown this once."
    claimToken: String
    "What may stop the device from connecting: an id longer than an OCPP identity (48 characters) when no profile says which protocol the model speaks (a model whose profile says OCPP is refused such an id: api:input.ocpp-identity-too-long)."
    warnings: [String!]!
  }

  input SetAdmissionHookInput {
    tenantId: ID!
    "Every provisioning request of the tenant is POSTed here, signed (x-doppel-signature)."
    url: String!
    "HMAC-SHA256 key of the signature (≥ 16 characters); never readable afterwards."
    secret: String!
    timeoutMs: Int = 5000
  }

  type AdmissionHook {
    tenantId: ID!
    url: String!
    timeoutMs: Int!
  }

  type RetireDevicePayload {
    "The retirement workflow (Temporal UI shows each step)."
    workflowId: ID!
    retired: Boolean!
    "Why it was refused."
    reason: String
    "The asset the device left."
    unboundFrom: ID
    "What changed in routing (backends that named the device)."
    routing: [String!]!
  }

  input RetireDeviceInput {
    tenantId: ID!
    deviceId: ID!
    reason: String!
  }

  enum ReplacementStatus {
    CHECKING
    REFUSED
    AWAITING_ACTIVATION
    COMPLETED
    FAILED
  }

  input ReplaceDeviceInput {
    tenantId: ID!
    "The device taken out."
    deviceId: ID!
    reason: String!
    "The new device's serial (its device id)."
    newSerial: ID!
    "The new device's model; the old one's when left out. A different model must list the old one under replaces in its profile."
    model: String
    method: ProvisioningMethod = CREDENTIALS
    claimToken: String
    claimExpiresInS: Int
    expect: ActivationExpectInput
    activationTimeoutS: Int
  }

  type ReplaceDevicePayload {
    workflowId: ID!
    created: Boolean!
    status: ReplacementStatus!
    reason: String
    newDeviceId: ID!
    "The asset the new device is installed in."
    assetId: ID
    "The new device's secret (method CREDENTIALS), shown this once."
    secret: String
    "The new device's claim token (method CLAIM), shown this once."
    claimToken: String
    "What may stop the device from connecting: an id longer than an OCPP identity (48 characters) when no profile says which protocol the model speaks (a model whose profile says OCPP is refused such an id: api:input.ocpp-identity-too-long)."
    warnings: [String!]!
  }

  extend type Query {
    "A serial's provisioning: status, reason and audit times."
    provisioning(tenantId: ID!, serial: ID!): Provisioning
    admissionHook(tenantId: ID!): AdmissionHook
  }

  extend type Mutation {
    "Provisions one device through the provisioning workflow; idempotent by serial."
    provisionDevice(input: ProvisionDeviceInput!): ProvisionDevicePayload!
    "Sets the tenant's admission hook, which may refuse or amend provisioning requests."
    setAdmissionHook(input: SetAdmissionHookInput!): AdmissionHook!
    removeAdmissionHook(tenantId: ID!): Boolean!
    "Retires a device: credentials revoked, disconnected, out of its asset and routing; its history stays."
    retireDevice(input: RetireDeviceInput!): RetireDevicePayload!
    "Replaces a device in its asset by a new one, provisioned with the old one's configuration."
    replaceDevice(input: ReplaceDeviceInput!): ReplaceDevicePayload!
  }
`;

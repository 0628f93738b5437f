/** The GraphQL schema of Doppel, as SDL. */
export const typeDefs = /* GraphQL */ `
  scalar DateTime
  scalar JSONObject

  enum Lifecycle {
    PROVISIONED
    ACTIVE
    INACTIVE
    MAINTENANCE
    REPLACED
    RETIRED
  }
  enum ConnectivityStatus {
    ONLINE
    OFFLINE
    UNKNOWN
  }
  "What a lifecycle change sets in motion."
  enum LifecycleEffect {
    MUTE_ALARMS
    UNMUTE_ALARMS
    EXCLUDE_FROM_ROLLOUTS
    INCLUDE_IN_ROLLOUTS
    REVOKE_CREDENTIALS
    CLOSE_CONNECTION
  }

  "Where the device is in its business lifecycle, and who put it there."
  type LifecycleStatus {
    state: Lifecycle!
    at: DateTime
    actor: String!
    reason: String!
    "The device that took this one's place, when REPLACED."
    replacedBy: ID
  }

  "One transition, as recorded in the device's lifecycle history."
  type LifecycleChange {
    from: Lifecycle!
    to: Lifecycle!
    at: DateTime!
    actor: String!
    reason: String!
    replacedBy: ID
    effects: [LifecycleEffect!]!
    "The twin version this change produced."
    version: Int!
  }

  "Whether the device is connected now; a separate axis from the lifecycle."
  type Connectivity {
    status: ConnectivityStatus!
    "Why it is offline: disconnected, heartbeat-missed, gateway-lost or will."
    reason: String
    since: DateTime
    "Set while a lost connection is in its grace period: the device counts as offline from then unless it reconnects."
    offlineAfter: DateTime
  }

  "A device twin as last projected from its workflow."
  type Device {
    tenantId: ID!
    deviceId: ID!
    "The twin's Temporal workflow id, to look it up in Temporal UI."
    workflowId: String!
    lifecycle: LifecycleStatus!
    lifecycleHistory: [LifecycleChange!]!
    "Telemetry samples (canonical names and units), newest first; at most 1000."
    telemetry(from: DateTime, to: DateTime, last: Int = 100): [TelemetrySample!]!
    "Derived from the lifecycle: a device in maintenance raises no alarms and gets no rollouts."
    alarmsMuted: Boolean!
    excludedFromRollouts: Boolean!
    connectivity: Connectivity!
    "What the device says it is (canonical names and units of its profile)."
    reported: JSONObject!
    "What operators want it to be."
    desired: JSONObject!
    "Desired values that differ from reported: what the device still has to apply."
    delta: JSONObject!
    "Guards desired changes (expectedVersion); shared by desired and reported, as in AWS shadows."
    shadowVersion: Int!
    "Reported fields the device profile flagged: unknown, mistyped or out of range. Kept, never dropped."
    flagged: [FlaggedField!]!
    model: String
    firmware: String
    "Operator labels, for filters (devices(filter: {tag})) and rollout targets."
    tags: [String!]!
    "Commands to the device: open ones, then the newest finished ones."
    commands: [DeviceCommand!]!
    "Incremented by every change; subscribers detect gaps with it."
    version: Int!
    updatedAt: DateTime
  }

  enum CommandStatus {
    PENDING
    SENT
    SUCCEEDED
    FAILED
    REJECTED
    TIMED_OUT
    EXPIRED
  }

  "A command to a device and, once it answered, its answer."
  type DeviceCommand {
    id: ID!
    "An OCPP action (Reset, TriggerMessage, UnlockConnector, …) or a command name for a native JSON or MQTT device."
    name: String!
    params: JSONObject!
    status: CommandStatus!
    result: JSONObject
    actor: String!
    queuedAt: DateTime!
    "An undelivered command expires then (a device offline until then never gets it)."
    expiresAt: DateTime!
    completedAt: DateTime
  }

  input SendCommandInput {
    tenantId: ID!
    deviceId: ID!
    name: String!
    params: JSONObject
    "How long an undelivered command waits for the device to come online; default 1 hour."
    ttlSeconds: Int
    "Optional: a retried request with the same id queues nothing new."
    commandId: ID
  }

  type SendCommandPayload {
    commandId: ID!
    version: Int!
    device: Device!
  }

  type TelemetrySample {
    at: DateTime!
    "Which part of the device measured it: an OCPP connector or EVSE (connector:1, evse:1), or empty."
    channel: String!
    values: JSONObject!
  }

  type FlaggedField {
    field: String!
    "profile:field.unknown, profile:field.type-mismatch, profile:field.out-of-range, …"
    code: String!
  }

  "How a device logs in; one way per device (OCPP A00.FR.001/.002: one security profile per station)."
  enum DeviceLogin {
    "A token or password: native JSON, MQTT, OCPP security profiles 1 and 2."
    SECRET
    "A client certificate verified by the TLS terminator (CN = identity, O = tenant): OCPP security profile 3."
    CERTIFICATE
  }

  input RegisterDeviceInput {
    tenantId: ID!
    deviceId: ID!
    model: String
    "Default SECRET. A CERTIFICATE device is refused with any secret, a SECRET one with a certificate."
    login: DeviceLogin
  }

  type RegisterDevicePayload {
    device: Device
    workflowId: String!
    "The device's secret for hello.token (or the OCPP password). Shown once: only its hash is stored. Null for a CERTIFICATE device. A device whose model's profile says OCPP gets 20 letters and digits, which a 1.6 station keeps as its AuthorizationKey (set it as their hexadecimal representation, 40 hex digits) and a 2.0.1 station as its BasicAuthPassword."
    token: String
    "What may stop this device from connecting, e.g. an id longer than an OCPP identity (48 characters) when no profile says which protocol the model speaks. A model whose profile says OCPP is refused such an id (api:input.ocpp-identity-too-long)."
    warnings: [String!]!
  }

  input TransitionDeviceInput {
    tenantId: ID!
    deviceId: ID!
    to: Lifecycle!
    "Why: recorded in the lifecycle history."
    reason: String!
    "Required when to is REPLACED."
    replacedBy: ID
    "Apply only if the device is still at this version (else twin:device.version-conflict)."
    expectedVersion: Int
  }

  type TransitionDevicePayload {
    "The twin version after the transition."
    version: Int!
    device: Device!
  }

  input UpdateDesiredInput {
    tenantId: ID!
    deviceId: ID!
    "A partial desired document: nested objects merge, null deletes a key."
    patch: JSONObject!
    "Apply only if the shadow is still at this version (else twin:shadow.version-conflict)."
    expectedVersion: Int
  }

  type UpdateDesiredPayload {
    version: Int!
    shadowVersion: Int!
    device: Device!
  }

  "A device model as data: fields, vendor-name mapping, units, state meanings."
  type DeviceProfile {
    model: ID!
    vendor: String!
    "Bumped on every change."
    version: Int!
    "The whole profile document (see docs/device-profiles.md)."
    document: JSONObject!
  }

  input SetDeviceTagsInput {
    tenantId: ID!
    deviceId: ID!
    tags: [String!]!
  }

  type SetDeviceTagsPayload {
    version: Int!
    device: Device!
  }

  type Query {
    device(tenantId: ID!, deviceId: ID!): Device
    deviceProfile(tenantId: ID!, model: ID!): DeviceProfile
    deviceProfiles(tenantId: ID!): [DeviceProfile!]!
  }

  type Mutation {
    "Registers a device and starts its twin. An id over 48 characters is refused (api:input.ocpp-identity-too-long) when the model's profile says the device speaks OCPP, whose identities are at most 48; with no profile saying so, the answer warns."
    registerDevice(input: RegisterDeviceInput!): RegisterDevicePayload!
    "Moves a device through its lifecycle. Refused with a code when the transition is not allowed."
    transitionDevice(input: TransitionDeviceInput!): TransitionDevicePayload!
    "Changes what the device should be; the delta reaches the device now if online, else when it reconnects."
    updateDesired(input: UpdateDesiredInput!): UpdateDesiredPayload!
    "Adds or replaces a device profile; gateways pick it up within their cache time (30 s). Refused with profile:invalid and the reasons."
    putDeviceProfile(tenantId: ID!, profile: JSONObject!): DeviceProfile!
    "Queues a command: delivered now if the device is online, else when it reconnects (or it expires)."
    sendCommand(input: SendCommandInput!): SendCommandPayload!
    "Replaces a device's tags (trimmed, deduplicated, sorted; at most 32)."
    setDeviceTags(input: SetDeviceTagsInput!): SetDeviceTagsPayload!
  }
`;

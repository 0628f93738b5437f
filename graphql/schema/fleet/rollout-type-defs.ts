/** OTA rollouts (issue 6): started from a configuration, judged by outcome, steered by operators. */
export const rolloutTypeDefs = /* GraphQL */ `
  enum RolloutStatus {
    "Before its schedule's start time (targets are read when it starts)."
    SCHEDULED
    RUNNING
    "Outside its maintenance windows: nobody new is commanded; devices already updating are still judged."
    WAITING
    PAUSED
    "Aborted; the devices already updating are still being judged."
    ABORTING
    ABORTED
    COMPLETED
  }

  enum RolloutDeviceStatus {
    PENDING
    SKIPPED
    COMMANDED
    SUCCEEDED
    FAILED
    ABORTED
  }

  enum RolloutKind {
    "An OTA rollout (startRollout)."
    FIRMWARE
    "A bulk command (startBulkCommand)."
    COMMAND
  }

  type RolloutCounts {
    pending: Int!
    skipped: Int!
    commanded: Int!
    succeeded: Int!
    failed: Int!
    aborted: Int!
  }

  type RolloutDevice {
    deviceId: ID!
    position: Int!
    status: RolloutDeviceStatus!
    attempts: Int!
    "Why it was skipped or failed."
    detail: String
    commandedAt: DateTime
    finishedAt: DateTime
    "What the device answered its command with (a bulk command's result), as its gateway recorded it."
    result: JSONObject
  }

  "One wave of a rollout: its devices' positions and where they stand."
  type RolloutWave {
    "0 is the canary."
    wave: Int!
    "The position of its first device (devices are in device-id order when targeted)."
    from: Int!
    size: Int!
    counts: RolloutCounts!
  }

  enum RolloutHealthStatus {
    "Watching the wave's devices until bakeUntil."
    BAKING
    PASSED
    "A limit was broken: the rollout paused itself (reason names what broke)."
    FAILED
    "Too few updated devices to judge (minDevices): the rollout went on."
    INCONCLUSIVE
  }

  "A rollout's health gate after one wave (docs/fleet-operations.md, Health-gated rollouts)."
  type RolloutHealthCheck {
    "The wave it followed (0 is the canary)."
    wave: Int!
    status: RolloutHealthStatus!
    "The window judged: from the wave's start to the end of its bake."
    bakeFrom: DateTime!
    bakeUntil: DateTime!
    judgedAt: DateTime
    "What broke (FAILED) or why it could not judge (INCONCLUSIVE)."
    reason: String
    "checks: each metric with both groups' figures, the ratio, the limit and whether it broke; figures: the raw counts."
    evidence: JSONObject
  }

  type Rollout {
    tenantId: ID!
    rolloutId: ID!
    workflowId: ID!
    kind: RolloutKind!
    "The configuration as validated (defaults filled in)."
    config: JSONObject!
    status: RolloutStatus!
    "Why it paused itself or was aborted."
    reason: String
    counts: RolloutCounts!
    "Devices in the rollout (the sum of counts); grows in continuous mode as devices join."
    targeted: Int!
    "Its devices in rollout order: first (at most 10,000) after a position, optionally with one status."
    devices(first: Int = 100, after: Int, status: RolloutDeviceStatus): [RolloutDevice!]!
    "The first waves (at most 1,000), canary first, as planned for the targeted devices, each with its devices' counts (a continuous rollout's newcomers planned as if they had come at once)."
    waves(first: Int = 100): [RolloutWave!]!
    "Its health gates, wave by wave (empty without a healthGate)."
    healthChecks: [RolloutHealthCheck!]!
    createdBy: String!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type StartRolloutPayload {
    workflowId: ID!
    "False when a rollout with this id was started before (nothing new started)."
    created: Boolean!
  }

  "The rollout workflow took the control; its status follows (rollout, rolloutProgress)."
  type RolloutControlPayload {
    rolloutId: ID!
    workflowId: ID!
    "Always true: a control the rollout cannot take is refused with a code instead."
    accepted: Boolean!
    "The rollout as recorded right after the control was signalled."
    rollout: Rollout!
  }

  input RolloutControlInput {
    tenantId: ID!
    rolloutId: ID!
    reason: String
  }

  type RolloutEdge {
    cursor: String!
    node: Rollout!
  }
  "Newest first."
  type RolloutConnection {
    edges: [RolloutEdge!]!
    nodes: [Rollout!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  extend type Query {
    rollout(tenantId: ID!, rolloutId: ID!): Rollout
    "A tenant's rollouts and bulk commands, newest first, optionally with one status. first: 1–500, default 50."
    rollouts(tenantId: ID!, first: Int, after: String, status: RolloutStatus): RolloutConnection!
  }

  extend type Subscription {
    "The rollout now, then each time its status, reason or counts change; ends after it ended."
    rolloutProgress(tenantId: ID!, rolloutId: ID!): Rollout!
  }

  extend type Mutation {
    "Starts an OTA rollout; the configuration is validated first (see docs/fleet-operations.md). Give \`rollout\`; \`config\` is the same configuration as untyped JSON, kept for clients written before the typed input."
    startRollout(
      tenantId: ID!
      rollout: RolloutConfigInput
      config: JSONObject
        @deprecated(reason: "Use rollout: RolloutConfigInput (the same fields, typed).")
    ): StartRolloutPayload!
    "Sends a command to many devices with a rollout's targets and safety controls (canary, waves, abort criteria); the answer is a rollout of kind command, read with rollout(…) and steered with the same controls."
    startBulkCommand(
      tenantId: ID!
      command: BulkCommandConfigInput
      config: JSONObject
        @deprecated(reason: "Use command: BulkCommandConfigInput (the same fields, typed).")
    ): StartRolloutPayload!
    pauseRollout(input: RolloutControlInput!): RolloutControlPayload!
    resumeRollout(input: RolloutControlInput!): RolloutControlPayload!
    abortRollout(input: RolloutControlInput!): RolloutControlPayload!
    "Runs the failed devices again, as a wave of their own."
    retryFailedRollout(input: RolloutControlInput!): RolloutControlPayload!
  }
`;

/**
 * The rollout and bulk-command configurations as GraphQL input types, so GraphiQL documents
 * and completes them. They mirror twins/rollout/config.ts field for field (same names, enum
 * values spelt as there, so a JSON configuration file is a valid variable); the zod schemas
 * there stay the one judge of values, bounds and cross-field rules (rollout:config.invalid),
 * and rollout-input-type-defs.test.ts keeps the two from drifting apart.
 */

/** The fields a rollout and a bulk command share (GraphQL input types cannot inherit). */
const safetyFields = /* GraphQL */ `
    "The operation's id, a slug (letters, digits, . _ -, at most 64): the workflow is rollout:<tenant>:<id> or bulk:<tenant>:<id>; starting the same id again starts nothing new."
    id: ID!
    "Which devices: all of the tenant's unless narrowed (every given criterion must hold)."
    target: RolloutTargetInput
    "The first wave (default 1 device); the operation pauses unless they all succeed."
    canary: RolloutCanaryInput
    "After the canary: waves of a constant size, or growing by a factor up to a maximum (default constant, 100)."
    waves: RolloutWavesInput
    "Devices being updated at once, across waves (1–10,000, default 50)."
    maxConcurrency: Int
    "Time-out and retries per device."
    perDevice: RolloutPerDeviceInput
    "The operation pauses itself when a criterion is met (default 20 % failures after 10 devices finished)."
    abort: RolloutAbortInput
    "A device offline when its turn comes: wait for it (within its time-out, the default) or skip it."
    offline: RolloutOfflinePolicy
    "When devices may be commanded: start, end, maintenance windows."
    schedule: RolloutScheduleInput
    "Keep running after the waves: devices that match the target later join in waves of their own, until aborted or the schedule ends."
    continuous: RolloutContinuousInput
`;

export const rolloutInputTypeDefs = /* GraphQL */ `
  "An OTA rollout (docs/fleet-operations.md). Validated as a whole before it starts; a refusal (rollout:config.invalid) names each field and why."
  input RolloutConfigInput {
    ${safetyFields}
    "The image to install."
    firmware: RolloutFirmwareInput!
    "A device outside these is skipped with the reason, never commanded."
    compatibility: RolloutCompatibilityInput
    "Bake after each wave and compare the updated devices with those not yet updated; a regression pauses the rollout with the evidence."
    healthGate: RolloutHealthGateInput
  }

  "A command to many devices with a rollout's targets and safety controls; a device succeeds when it accepts the command."
  input BulkCommandConfigInput {
    ${safetyFields}
    command: BulkCommandInput!
  }

  input RolloutTargetInput {
    customerId: ID
    siteId: ID
    "Any of these models (1–100)."
    models: [String!]
    "Current firmware versions the devices must run (any of them, 1–100)."
    firmware: [String!]
    "Every one of these tags (1–20)."
    tags: [String!]
    "These devices only (1–100,000 ids)."
    devices: [ID!]
  }

  input RolloutCanaryInput {
    "How many devices the canary wave has (1–1,000)."
    devices: Int!
  }

  enum RolloutWaveMode {
    "Every wave has size devices."
    constant
    "Waves of base devices, each factor times the last, at most maximum."
    exponential
  }

  "constant needs size; exponential needs base, factor and maximum."
  input RolloutWavesInput {
    mode: RolloutWaveMode!
    "constant: devices per wave (1–100,000)."
    size: Int
    "exponential: the first wave after the canary (1–100,000)."
    base: Int
    "exponential: how much each wave grows (1.1–10)."
    factor: Float
    "exponential: the largest wave (1–100,000)."
    maximum: Int
  }

  input RolloutPerDeviceInput {
    "From the command to the new version reported after the reboot (5 s – 7 days, default 1800)."
    timeoutS: Int
    "Further attempts after a failure or time-out (0–10, default 1)."
    retries: Int
  }

  input RolloutAbortInput {
    "Pause when this share of finished devices failed (0–100, default 20)."
    failurePercent: Float
    "…once this many devices finished (default 10)."
    minExecuted: Int
    "Pause after this many failures, whatever the percentage."
    maxFailures: Int
  }

  enum RolloutOfflinePolicy {
    "Wait for the device, within its time-out."
    wait
    "Skip the device (SKIPPED, detail offline)."
    skip
  }

  input RolloutScheduleInput {
    "Not before (ISO 8601 with an offset, e.g. 2026-12-01T00:00:00Z)."
    startAt: String
    "Nothing new after (ISO 8601 with an offset); after startAt."
    endAt: String
    "The IANA zone the windows' cron expressions are read in (default UTC)."
    timezone: String
    "When given, devices are commanded only while one is open (1–20)."
    maintenanceWindows: [RolloutMaintenanceWindowInput!]
  }

  input RolloutMaintenanceWindowInput {
    "When the window opens: minute hour day-of-month month day-of-week, e.g. \\"0 1 * * 1-5\\"."
    cron: String!
    "How long it stays open (1 – 10,080)."
    durationMinutes: Int!
  }

  input RolloutContinuousInput {
    "How often the target is read again for newcomers (5–86,400 s, default 300)."
    checkEveryS: Int
  }

  input RolloutFirmwareInput {
    version: String!
    "Where the device downloads the image: http(s):// or (s)ftp://."
    url: String!
    "A checksum the device may verify (e.g. sha256:…)."
    checksum: String
  }

  input RolloutCompatibilityInput {
    "Firmware versions the image may be installed over."
    fromVersions: [String!]
    hardwareRevisions: [String!]
  }

  "Judged after each wave but the last (docs/fleet-operations.md, Health-gated rollouts); ratios are the updated devices' rate over the others'."
  input RolloutHealthGateInput {
    "How long the devices are watched after the wave before the next may start (1 s – 7 days)."
    bakeSeconds: Int!
    "Alarms raised per device (default 1.5)."
    maxAlarmRatio: Float
    "Fault fingerprints seen on the updated devices that no other firmware of the model has (default 0)."
    maxNewFingerprints: Int
    "Reconnects per device, the reboot into the new version left out (default 2)."
    maxReconnectRatio: Float
    "Share of charging sessions that failed (default 1.5)."
    maxFailedSessionRatio: Float
    "Fewer updated devices than this: inconclusive, the rollout goes on (default 1)."
    minDevices: Int
  }

  input BulkCommandInput {
    "An OCPP action (Reset, TriggerMessage, ChangeAvailability, …) or a native command."
    name: String!
    params: JSONObject
  }
`;

/** Alarm rules (versioned data) and alarms (raised → acknowledged → cleared); docs/alarms.md. */
export const alarmTypeDefs = /* GraphQL */ `
  "How severe an alarm is, most severe first (X.733's and ThingsBoard's five)."
  enum AlarmSeverity {
    CRITICAL
    MAJOR
    MINOR
    WARNING
    INDETERMINATE
  }

  enum AlarmStatus {
    ACTIVE
    CLEARED
  }

  "One version of an alarm rule, as it was."
  type AlarmRuleVersion {
    version: Int!
    "The definition of this version; null: the version that removed the rule."
    rule: JSONObject
    changedBy: String!
    at: DateTime!
  }

  "An alarm rule: when a device of a profile, asset type or site raises an alarm (docs/alarms.md)."
  type AlarmRule {
    ruleId: ID!
    "1 on create, +1 on every change; an update or removal names the version it changes."
    version: Int!
    "The definition as stored, every default filled in."
    rule: JSONObject!
    name: String!
    alarmType: String!
    severity: AlarmSeverity!
    enabled: Boolean!
    updatedBy: String!
    updatedAt: DateTime!
    "Every version, oldest first."
    history: [AlarmRuleVersion!]!
  }

  type DeleteAlarmRulePayload {
    ruleId: ID!
    "The version that removed it."
    version: Int!
    "Its active alarms, cleared by the removal (clearedBy rule-removed)."
    clearedAlarms: Int!
  }

  type AlarmComment {
    commentId: ID!
    "The actor who wrote it (user:<sub>, key:<keyId>)."
    author: String!
    text: String!
    at: DateTime!
  }

  "An alarm: one active per device and rule, raised → acknowledged → cleared."
  type Alarm {
    alarmId: ID!
    "The device that raised it (query it with device(tenantId, deviceId))."
    deviceId: ID!
    ruleId: ID!
    "The rule's version that raised it."
    ruleVersion: Int!
    alarmType: String!
    "Now (a rule's escalation may have raised it since)."
    severity: AlarmSeverity!
    status: AlarmStatus!
    acknowledged: Boolean!
    acknowledgedBy: String
    acknowledgedAt: DateTime
    assignee: String
    "Raised while the device was in maintenance: shown, never notified."
    muted: Boolean!
    "Where the device sat in the graph when it was raised (what the counts go by)."
    assetId: ID
    siteId: ID
    customerId: ID
    "The time of the datapoint that raised it."
    raisedAt: DateTime!
    clearedAt: DateTime
    "condition (the rule cleared it), operator, retired, replaced or rule-removed."
    clearedBy: String
    details: JSONObject!
    updatedAt: DateTime!
    "Oldest first."
    comments: [AlarmComment!]!
  }

  type AlarmEdge {
    cursor: String!
    node: Alarm!
  }
  "Newest raised first."
  type AlarmConnection {
    edges: [AlarmEdge!]!
    nodes: [Alarm!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  "Every condition given must hold."
  input AlarmFilter {
    status: AlarmStatus
    "Any of these."
    severity: [AlarmSeverity!]
    deviceId: ID
    "The asset, site or customer the device had when the alarm was raised."
    assetId: ID
    siteId: ID
    customerId: ID
    ruleId: ID
    acknowledged: Boolean
  }

  "Active alarms by severity."
  type AlarmCounts {
    critical: Int!
    major: Int!
    minor: Int!
    warning: Int!
    indeterminate: Int!
    total: Int!
  }

  type CommentOnAlarmPayload {
    comment: AlarmComment!
    alarm: Alarm!
  }

  extend type Query {
    "A tenant's alarm rules, by id (removed ones left out)."
    alarmRules(tenantId: ID!): [AlarmRule!]!
    alarmRule(tenantId: ID!, ruleId: ID!): AlarmRule
    "A tenant's alarms, newest raised first. first: 1–500, default 50."
    alarms(tenantId: ID!, filter: AlarmFilter, first: Int, after: String): AlarmConnection!
    alarm(tenantId: ID!, alarmId: ID!): Alarm
  }

  extend type Mutation {
    "A new rule (version 1); the rule is checked against the rule schema (alarm-rule.invalid, with the issues' paths)."
    createAlarmRule(tenantId: ID!, ruleId: ID!, rule: JSONObject!): AlarmRule!
    "Replaces the rule at this version (alarm-rule.version-conflict when it moved on)."
    updateAlarmRule(tenantId: ID!, ruleId: ID!, version: Int!, rule: JSONObject!): AlarmRule!
    "Removes the rule at this version and clears its active alarms."
    deleteAlarmRule(tenantId: ID!, ruleId: ID!, version: Int!): DeleteAlarmRulePayload!
    "Someone is on it; a cleared alarm not yet acknowledged may be acknowledged too."
    acknowledgeAlarm(tenantId: ID!, alarmId: ID!): Alarm!
    "Assigns an active alarm to someone; null: to nobody."
    assignAlarm(tenantId: ID!, alarmId: ID!, assignee: String): Alarm!
    "A comment (1–4000 characters), on an active or cleared alarm."
    commentOnAlarm(tenantId: ID!, alarmId: ID!, text: String!): CommentOnAlarmPayload!
    "Clears an active alarm (clearedBy operator); the rule's window for the device starts afresh."
    clearAlarm(tenantId: ID!, alarmId: ID!): Alarm!
  }

  extend type Device {
    "Its active alarms by severity."
    alarmCounts: AlarmCounts!
  }
  extend type Asset {
    "Active alarms of the devices bound to it when they were raised, by severity."
    alarmCounts: AlarmCounts!
  }
  extend type Site {
    "Active alarms of the devices at this site when they were raised, by severity."
    alarmCounts: AlarmCounts!
  }
  extend type Customer {
    "Active alarms of this customer's devices when they were raised, by severity."
    alarmCounts: AlarmCounts!
  }
`;

/** Notification channels and the alarm event subscription (docs/alarms.md, "Notifications"). */
export const alarmNotificationTypeDefs = /* GraphQL */ `
  "A tenant's notification channel: a signed webhook or e-mail, with its routing and mode."
  type NotificationChannel {
    channelId: ID!
    "1 on create, +1 on every change; an update or removal names the version it changes."
    version: Int!
    "The definition as stored, every default filled in (never the secret)."
    channel: JSONObject!
    kind: String!
    name: String!
    enabled: Boolean!
    updatedBy: String!
    updatedAt: DateTime!
  }

  type NotificationChannelPayload {
    channel: NotificationChannel!
    "A webhook channel's signing key (Standard Webhooks, whsec_…): shown once, when it is made."
    secret: String
  }

  type DeleteNotificationChannelPayload {
    channelId: ID!
    version: Int!
  }

  "One transition of an alarm, as the outbox recorded it."
  type AlarmEvent {
    "The outbox position: pass it as after to resume from here."
    cursor: ID!
    "The tenant whose alarm it is."
    tenantId: ID!
    "raised, severity-changed, acknowledged, assigned, cleared, muted or unmuted."
    kind: String!
    "The alarm's count of transitions: consecutive per alarm, so a gap is visible."
    version: Int!
    occurredAt: DateTime!
    "Who: rule:<ruleId>, user:<sub>, key:<keyId> or the lifecycle's actor."
    actor: String!
    "Why, where there is more to say (a clear's cause, a lifecycle change)."
    reason: String
    "What moved (severity-changed: severities; assigned: assignees)."
    from: JSON
    to: JSON
    alarmId: ID!
    deviceId: ID!
    ruleId: ID!
    alarmType: String!
    severity: AlarmSeverity!
    status: AlarmStatus!
    acknowledged: Boolean!
    assignee: String
    "Muted (the device in maintenance): shown here, never notified."
    muted: Boolean!
    assetId: ID
    siteId: ID
    customerId: ID
  }

  extend type Query {
    "A tenant's notification channels, by id (removed ones left out)."
    notificationChannels(tenantId: ID!): [NotificationChannel!]!
    notificationChannel(tenantId: ID!, channelId: ID!): NotificationChannel
  }

  extend type Mutation {
    """
    A new channel (version 1), checked against the channel schema (notification-channel.invalid,
    with the issues' paths). A webhook channel's secret is in the answer, this once.
    """
    createNotificationChannel(
      tenantId: ID!
      channelId: ID!
      channel: JSONObject!
    ): NotificationChannelPayload!
    "Replaces the channel at this version (notification-channel.version-conflict when it moved on)."
    updateNotificationChannel(
      tenantId: ID!
      channelId: ID!
      version: Int!
      channel: JSONObject!
    ): NotificationChannelPayload!
    "Removes the channel at this version; what waited for it is not sent."
    deleteNotificationChannel(
      tenantId: ID!
      channelId: ID!
      version: Int!
    ): DeleteNotificationChannelPayload!
  }

  extend type Subscription {
    """
    A tenant's alarm events that pass the routing filter (a channel's routing: minSeverity,
    severities, siteIds, customerIds, kinds; muted alarms included, marked). With after (a
    cursor), first every matching event after it, then live ones: none lost, none twice.
    """
    alarmEvents(tenantId: ID!, filter: JSONObject, after: ID): AlarmEvent!
  }
`;

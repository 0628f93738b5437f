/** Partner webhooks: a tenant's twin changes as signed CloudEvents, at least once, in order per twin. */
export const webhookTypeDefs = /* GraphQL */ `
  "Which twin changes a webhook receives: every change of the tenant unless narrowed."
  type WebhookFilter {
    "Only these event kinds (connected, lifecycle-changed, …); null = every kind."
    kinds: [String!]
    "Only these devices' changes; with assetIds also null, every device and asset."
    deviceIds: [ID!]
    "Only these assets' changes."
    assetIds: [ID!]
  }

  "An event a webhook gave up on after its last attempt; delivery went on with the next one."
  type WebhookDeadLetter {
    "The event's cursor (its CloudEvent's doppelcursor): replay from it to send it again."
    cursor: String!
    kind: String!
    aggregateType: String!
    aggregateId: ID!
    version: Int!
    attempts: Int!
    lastError: String!
    deadAt: DateTime!
  }

  type WebhookDeadLetterConnection {
    nodes: [WebhookDeadLetter!]!
    "Pass as after for the next page; null on the last."
    endCursor: String
    hasNextPage: Boolean!
  }

  "A partner webhook. Its signing secret is shown once, when created or rotated."
  type Webhook {
    id: ID!
    url: String!
    enabled: Boolean!
    filter: WebhookFilter!
    "Attempts per event before it becomes a dead letter."
    maxAttempts: Int!
    "The last event handled (delivered, dead-lettered or filtered out); outbox ids as a string."
    deliveredCursor: String!
    "The tenant's newest event."
    latestCursor: String!
    "The tenant's events after deliveredCursor, counted up to 10000."
    lag: Int!
    deadLetters(first: Int = 50, after: String): WebhookDeadLetterConnection!
    "Bumped on every change of the definition or secret."
    version: Int!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type WebhookWithSecret {
    webhook: Webhook!
    "The signing key (Standard Webhooks, whsec_…). Shown this once: store it with the receiver."
    secret: String!
  }

  input WebhookFilterInput {
    kinds: [String!]
    deviceIds: [ID!]
    assetIds: [ID!]
  }

  input RegisterWebhookInput {
    tenantId: ID!
    id: ID!
    "http:// or https://"
    url: String!
    "Default true."
    enabled: Boolean
    "Default: every change of the tenant."
    filter: WebhookFilterInput
    "1–50, default 10."
    maxAttempts: Int
  }

  "Changes a webhook: the fields given replace the stored ones; a null or missing field keeps it."
  input UpdateWebhookInput {
    tenantId: ID!
    id: ID!
    url: String
    enabled: Boolean
    "Replaces the whole filter; {} = every change."
    filter: WebhookFilterInput
    maxAttempts: Int
  }

  type RemoveWebhookPayload {
    "False when there was no such webhook."
    removed: Boolean!
  }

  extend type Query {
    webhooks(tenantId: ID!): [Webhook!]!
    webhook(tenantId: ID!, webhookId: ID!): Webhook
  }

  extend type Mutation {
    """
    Adds a webhook that receives the changes committed from now on, and returns its signing
    secret (once). Refused with webhook:url.invalid, webhook:invalid (with the reasons) or
    webhook:exists.
    """
    registerWebhook(input: RegisterWebhookInput!): WebhookWithSecret!
    """
    Changes a webhook: url and enabled apply from the next attempt, filter and maxAttempts from
    the next events read. Refused as registerWebhook, or with webhook:not-found.
    """
    updateWebhook(input: UpdateWebhookInput!): Webhook!
    "A new signing secret, shown once; the next delivery is signed with it."
    rotateWebhookSecret(tenantId: ID!, webhookId: ID!): WebhookWithSecret!
    "Removes a webhook and its dead letters; its deliveries stop at once, even mid-retry."
    removeWebhook(tenantId: ID!, webhookId: ID!): RemoveWebhookPayload!
    """
    Delivers again every event from fromCursor on (inclusive; a CloudEvent's doppelcursor or a
    dead letter's cursor), dead letters included. A cursor past the newest event skips to it.
    Refused with webhook:not-found or webhook:cursor.invalid.
    """
    replayWebhook(tenantId: ID!, webhookId: ID!, fromCursor: String!): Webhook!
  }
`;

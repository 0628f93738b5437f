/** Connectivity history, reconnects, uptime and "why is it offline" (docs/operations.md). */
export const connectivityTypeDefs = /* GraphQL */ `
  "How a connection ended."
  enum ConnectionEndReason {
    "The device closed it (WebSocket close, MQTT DISCONNECT, a station hanging up)."
    DEVICE_CLOSED
    "The gateway closed it: shutdown, or on request of the twin (retired, replaced)."
    SERVER_CLOSED
    "Nothing heard from the device within the idle timeout (WebSocket ping, MQTT keep-alive)."
    HEARTBEAT_MISSED
    "The gateway holding it stopped heart-beating; the watchdog ended its sessions."
    GATEWAY_LOST
    "An MQTT device that left a will went away without DISCONNECT (or asked for its will)."
    WILL
    "A newer connection of the device took its place first."
    REPLACED_BY_NEW_CONNECTION
  }

  "One connection of a device, from connect to disconnect."
  type DeviceSession {
    sessionId: ID!
    "The gateway node that held it."
    gatewayNode: String!
    "json, mqtt, ocpp1.6 or ocpp2.0.1."
    protocol: String
    connectedAt: DateTime!
    "Null while it is open."
    disconnectedAt: DateTime
    disconnectReason: ConnectionEndReason
    "Messages (frames; MQTT packets after CONNECT) and bytes each way, counted by the gateway and written at disconnect; null while open or when the gateway was lost."
    messagesIn: Float
    messagesOut: Float
    bytesIn: Float
    bytesOut: Float
  }

  type DeviceSessionEdge {
    cursor: String!
    node: DeviceSession!
  }
  type DeviceSessionConnection {
    edges: [DeviceSessionEdge!]!
    nodes: [DeviceSession!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  "Connected time over a period, with the device's maintenance time left out."
  type Uptime {
    from: DateTime!
    "The end of the period (cut to now)."
    to: DateTime!
    "online / (period - maintenance) × 100; null when the whole period was maintenance."
    percentage: Float
    periodSeconds: Float!
    "Time the lifecycle history says the device was in maintenance (excluded)."
    maintenanceSeconds: Float!
    "Time connected outside maintenance."
    onlineSeconds: Float!
  }

  "Why a device is not connected."
  enum OfflineCause {
    "No device record: the serial was never registered (or its provisioning never completed)."
    NEVER_PROVISIONED
    "Registered (provisioned) but never connected to activate."
    NEVER_ACTIVATED
    "Activated by an operator but never connected."
    NEVER_CONNECTED
    RETIRED
    REPLACED
    DEVICE_CLOSED
    SERVER_CLOSED
    HEARTBEAT_MISSED
    GATEWAY_LOST
    WILL
    "Its logins are refused (wrong or revoked secret, refused claim) since it was last seen."
    REFUSED_CREDENTIALS
  }

  type WhyOffline {
    reason: OfflineCause!
    since: DateTime
    "In words: the lifecycle reason, the refusal's code and count, …"
    detail: String!
  }

  "The refused logins of a device: how many, and the newest one's code and time."
  type LoginRefusals {
    count: Float!
    firstAt: DateTime!
    lastAt: DateTime!
    "gateway:auth.refused, gateway:auth.claim-refused, …"
    lastCode: String!
  }

  extend type Device {
    "Its connections overlapping [from, to), newest first. first: 1–500, default 50."
    connectivityHistory(
      from: DateTime
      to: DateTime
      first: Int
      after: String
    ): DeviceSessionConnection!
    "Connections opened in [from, to) (to: now) after an earlier one."
    reconnects(from: DateTime!, to: DateTime): Int!
    "Connected share of [from, to) (to: now), maintenance excluded (the per-port uptime of US NEVI reporting)."
    uptime(from: DateTime!, to: DateTime): Uptime!
    "Null while the device is online (a lost connection in its grace period counts as online)."
    whyOffline: WhyOffline
    loginRefusals: LoginRefusals
  }

  extend type Query {
    "Why a device is offline, also for a serial that has no record (NEVER_PROVISIONED); null while online."
    whyOffline(tenantId: ID!, deviceId: ID!): WhyOffline
  }
`;

/** Device logs and diagnostics files (docs/operations.md, "Device logs and diagnostics"). */
export const deviceLogTypeDefs = /* GraphQL */ `
  "A log line's severity; a filter's level finds that level and every more severe one."
  enum LogLevel {
    TRACE
    DEBUG
    INFO
    WARN
    ERROR
    FATAL
  }

  "One line of a device's log (JSON \`log\` message, MQTT log topic)."
  type DeviceLogLine {
    id: ID!
    "When the device wrote it (its clock)."
    at: DateTime!
    level: LogLevel!
    "Which part of the device wrote it; empty when it did not say."
    source: String!
    text: String!
    attributes: JSONObject!
    "When the gateway received it (retention counts from this)."
    receivedAt: DateTime!
  }

  input DeviceLogFilter {
    "Device time, inclusive."
    from: DateTime
    to: DateTime
    "This level and the more severe ones."
    level: LogLevel
    "A substring of the text, case-insensitive."
    text: String
  }

  type DeviceLogLineEdge {
    cursor: String!
    node: DeviceLogLine!
  }
  "Newest received first; with newerThan, the lines received after that one, oldest first."
  type DeviceLogLineConnection {
    edges: [DeviceLogLineEdge!]!
    nodes: [DeviceLogLine!]!
    pageInfo: PageInfo!
  }

  "A file a device uploaded on request (a diagnostics archive)."
  type LogUpload {
    id: ID!
    deviceId: String!
    requestId: ID!
    "The file name the device gave (multipart), else one made from the request."
    name: String!
    contentType: String!
    size: Float!
    "SHA-256 of the bytes, hex."
    sha256: String!
    uploadedAt: DateTime!
    "Where an operator of the tenant downloads it: GET on the API with the same credential."
    downloadPath: String!
  }

  input LogUploadFilter {
    from: DateTime
    to: DateTime
    "A substring of the file name, case-insensitive."
    name: String
  }

  "An operator's request for a device's log file, and where its upload stands."
  type LogRequest {
    id: ID!
    deviceId: String!
    "requested, sent, the device's own status (Uploading, Uploaded, UploadFailure, …), uploading, uploaded or upload-failed."
    status: String!
    statusAt: DateTime!
    "The one-time upload URL stops working then (and after one upload)."
    expiresAt: DateTime!
    from: DateTime
    to: DateTime
    requestedBy: String!
    createdAt: DateTime!
    "The file, once uploaded."
    upload: LogUpload
  }

  extend type Device {
    "This device's log lines."
    logs(filter: DeviceLogFilter, first: Int, after: String): DeviceLogLineConnection!
    "Files this device uploaded, newest first."
    logUploads(filter: LogUploadFilter, first: Int): [LogUpload!]!
  }

  extend type Query {
    "A device's log lines by time, level and text; newerThan (a line's id) follows new lines."
    deviceLogs(
      tenantId: ID!
      deviceId: ID!
      filter: DeviceLogFilter
      first: Int
      after: String
      newerThan: ID
    ): DeviceLogLineConnection!
    "A device's uploaded log files, newest first."
    logUploads(tenantId: ID!, deviceId: ID!, filter: LogUploadFilter, first: Int): [LogUpload!]!
    "A device's log requests, newest first."
    logRequests(tenantId: ID!, deviceId: ID!, first: Int): [LogRequest!]!
  }

  extend type Mutation {
    """
    Asks the device for its log file: a one-time upload URL on the gateway (expires in
    ttlSeconds, default 3600; takes one upload) goes to it as OCPP GetDiagnostics (1.6), GetLog
    (2.0.1, DiagnosticsLog) or a JSON upload-log command.
    """
    requestDeviceLog(
      tenantId: ID!
      deviceId: ID!
      from: DateTime
      to: DateTime
      ttlSeconds: Int
    ): LogRequest!
  }
`;

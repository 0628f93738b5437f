/** Relay connections, filters and fleet aggregates of the twin graph. */
export const listingTypeDefs = /* GraphQL */ `
  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    "Pass it as after to get the next page."
    endCursor: String
  }

  type DeviceEdge {
    cursor: String!
    node: Device!
  }
  type DeviceConnection {
    edges: [DeviceEdge!]!
    nodes: [Device!]!
    pageInfo: PageInfo!
    "All matching devices, not only this page."
    totalCount: Int!
  }

  type AssetEdge {
    cursor: String!
    node: Asset!
  }
  type AssetConnection {
    edges: [AssetEdge!]!
    nodes: [Asset!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type SiteEdge {
    cursor: String!
    node: Site!
  }
  type SiteConnection {
    edges: [SiteEdge!]!
    nodes: [Site!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type CustomerEdge {
    cursor: String!
    node: Customer!
  }
  type CustomerConnection {
    edges: [CustomerEdge!]!
    nodes: [Customer!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  "Every field narrows the list; omitted fields do not."
  input DeviceFilter {
    "Any of these states."
    lifecycle: [Lifecycle!]
    "true: online now (or within the offline grace period); false: offline or never seen."
    online: Boolean
    model: String
    firmware: String
    siteId: ID
    customerId: ID
    assetId: ID
    "Devices carrying this tag."
    tag: String
    "Devices whose id starts with this (case matters; an index answers it at any fleet size)."
    idPrefix: String
    "The device provisioned under this serial (exact). Provisioning keys a device by its serial, so it is the device's id; a device registered without provisioning has no serial."
    serial: String
  }

  input AssetFilter {
    siteId: ID
    customerId: ID
    "Any of these."
    health: [AssetHealth!]
    kind: String
    tag: String
  }

  input SiteFilter {
    customerId: ID
    tag: String
  }

  type LifecycleCount {
    lifecycle: Lifecycle!
    count: Int!
  }
  type ConnectivityCount {
    status: ConnectivityStatus!
    count: Int!
  }
  "A count per value; value is null for devices that have not said it yet."
  type ValueCount {
    value: String
    count: Int!
  }

  "How a fleet is made up, most frequent first in each list."
  type FleetSummary {
    total: Int!
    byLifecycle: [LifecycleCount!]!
    byConnectivity: [ConnectivityCount!]!
    byModel: [ValueCount!]!
    byFirmware: [ValueCount!]!
  }
`;

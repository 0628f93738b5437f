/** Writes to the twin graph. Asset changes go through the asset twin and keep its codes. */
export const graphMutationTypeDefs = /* GraphQL */ `
  input CreateCustomerInput {
    tenantId: ID!
    customerId: ID!
    name: String!
  }
  type CreateCustomerPayload {
    customer: Customer!
  }

  input CreateSiteInput {
    tenantId: ID!
    siteId: ID!
    "The customer must exist (graph:customer.not-found)."
    customerId: ID!
    name: String!
    tags: [String!]
  }
  type CreateSitePayload {
    site: Site!
  }

  input CreateAssetInput {
    tenantId: ID!
    assetId: ID!
    "The site must exist (graph:site.not-found); the asset belongs to the site's customer."
    siteId: ID!
    name: String!
    kind: String
    attributes: JSONObject
    tags: [String!]
  }

  input SetAssetAttributesInput {
    tenantId: ID!
    assetId: ID!
    "A merge patch: nested objects merge, null deletes a key."
    attributes: JSONObject
    name: String
    "Replaces the tags."
    tags: [String!]
  }

  input BindDeviceInput {
    tenantId: ID!
    assetId: ID!
    deviceId: ID!
    "Why, kept in the asset's binding history (at most 500 characters)."
    reason: String
  }

  input UnbindDeviceInput {
    tenantId: ID!
    assetId: ID!
    "When given, it must be the bound device (else twin:asset.device-not-bound)."
    deviceId: ID
    "Why, kept in the asset's binding history (at most 500 characters)."
    reason: String
  }

  type AssetChangePayload {
    "The asset twin's version after the change."
    version: Int!
    asset: Asset!
  }

  extend type Mutation {
    createCustomer(input: CreateCustomerInput!): CreateCustomerPayload!
    createSite(input: CreateSiteInput!): CreateSitePayload!
    "Starts the asset's twin. Refused with twin:asset.already-exists when it exists."
    createAsset(input: CreateAssetInput!): AssetChangePayload!
    setAssetAttributes(input: SetAssetAttributesInput!): AssetChangePayload!
    """
    Binds a device to an asset. Refused with twin:asset.already-has-device when the asset has
    one (unbind it first) and twin:binding.device-bound-elsewhere when the device is in
    another asset.
    """
    bindDevice(input: BindDeviceInput!): AssetChangePayload!
    unbindDevice(input: UnbindDeviceInput!): AssetChangePayload!
  }
`;

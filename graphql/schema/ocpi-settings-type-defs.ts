/** A tenant's OCPI settings (docs/ocpi.md, "Tokens (Receiver)"). */
export const ocpiSettingsTypeDefs = /* GraphQL */ `
  "What a station hears for an idTag no eMSP could be asked about in real time."
  enum OcpiUnansweredAuthorization {
    "Accepted: charging goes on while the eMSPs cannot be reached."
    ACCEPT
    "Invalid (the default): no charging on an idTag nobody vouched for."
    REFUSE
  }

  "How a tenant roaming over OCPI authorises its stations' idTags."
  type OcpiSettings {
    unansweredAuthorization: OcpiUnansweredAuthorization!
    "When they were last set; null while the tenant has the defaults."
    updatedAt: DateTime
  }

  extend type Query {
    ocpiSettings(tenantId: ID!): OcpiSettings!
  }

  extend type Mutation {
    "Sets the tenant's OCPI settings; gateways apply them within a few seconds."
    setOcpiSettings(
      tenantId: ID!
      unansweredAuthorization: OcpiUnansweredAuthorization!
    ): OcpiSettings!
  }
`;

/** The GraphQL the provision command sends (a client's view of the API, shared with its tests). */
export const PROVISION_DEVICES = `mutation ($i: ProvisionDevicesInput!) {
  provisionDevices(input: $i) {
    bulkId workflowId total accepted
    identities { line serial method secret }
    refused { line serial reason }
  }
}`;

export const BULK_PROGRESS = `query ($t: ID!, $b: ID!) {
  bulkProvisioning(tenantId: $t, bulkId: $b) {
    status total
    counts {
      pending registered started alreadyRegistered alreadyProvisioned refused failed submitted
      admitting awaitingActivation active provisioningRefused provisioningFailed settled
    }
  }
}`;

/** Where operators read workflow histories: the installation's Temporal UI (docs/console.md). */
export const temporalUiTypeDefs = /* GraphQL */ `
  "The Temporal UI of this installation: a workflow is at url/namespaces/<namespace>/workflows/<workflowId>."
  type TemporalUi {
    "Its base URL as the caller's browser reaches it (DOPPEL_TEMPORAL_UI_URL)."
    url: String!
    "The namespace the twins and operations run in (TEMPORAL_NAMESPACE)."
    namespace: String!
  }

  extend type Me {
    "Where to read this installation's workflows (a Device's workflowId, a rollout's); null when the API was not told (DOPPEL_TEMPORAL_UI_URL unset) and for a PARTNER."
    temporalUi: TemporalUi
  }
`;

// The graph page's GraphQL: one query per level, each child list one server page at a time.

export const CUSTOMERS = /* GraphQL */ `
  query GraphCustomers($tenantId: ID!, $first: Int, $after: String) {
    customers(tenantId: $tenantId, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        customerId
        name
        sites(first: 1) {
          totalCount
        }
      }
    }
  }
`;

export const CUSTOMER = /* GraphQL */ `
  query GraphCustomer($tenantId: ID!, $customerId: ID!, $first: Int, $after: String) {
    customer(tenantId: $tenantId, customerId: $customerId) {
      customerId
      name
      sites(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          siteId
          name
          tags
          assets(first: 1) {
            totalCount
          }
        }
      }
    }
  }
`;

export const SITE = /* GraphQL */ `
  query GraphSite($tenantId: ID!, $siteId: ID!, $first: Int, $after: String) {
    site(tenantId: $tenantId, siteId: $siteId) {
      siteId
      name
      tags
      customer {
        customerId
        name
      }
      assets(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          assetId
          name
          kind
          health
          device {
            deviceId
          }
        }
      }
    }
  }
`;

export const ASSET = /* GraphQL */ `
  query GraphAsset($tenantId: ID!, $assetId: ID!) {
    asset(tenantId: $tenantId, assetId: $assetId) {
      assetId
      name
      kind
      health
      tags
      site {
        siteId
        name
        customer {
          customerId
          name
        }
      }
      device {
        deviceId
        lifecycle {
          state
        }
        connectivity {
          status
        }
      }
      bindingHistory {
        deviceId
        from
        to
        boundBy
        boundReason
        unboundBy
        unboundReason
        device {
          lifecycle {
            state
          }
        }
      }
    }
  }
`;

export const SUMMARY_FIELDS = /* GraphQL */ `
  fragment ScopeCounts on FleetSummary {
    total
    byConnectivity {
      status
      count
    }
    byLifecycle {
      lifecycle
      count
    }
  }
`;

export interface ScopeCounts {
  total: number;
  byConnectivity: { status: string; count: number }[];
  byLifecycle: { lifecycle: string; count: number }[];
}

export type { Connection } from '../Pager';

/** Rows a page of the graph holds. */
export const GRAPH_PAGE_SIZE = 25;

/** The number of devices online in a summary. */
export const onlineOf = (counts: ScopeCounts | undefined) =>
  counts?.byConnectivity.find((c) => c.status === 'ONLINE')?.count ?? 0;

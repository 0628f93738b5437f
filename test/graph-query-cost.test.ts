import { createEgress } from '../outbound/egress';
import { Client } from '@temporalio/client';
import { describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../db/client';
import { createApiApp } from '../graphql/app';
import { countingDatabase } from './support/counting-database';
import { seedBoundDevices } from './support/seed-graph';
import { uniqueTenant } from './support/stack';
import { TEST_AUTH } from './support/auth';
import { testCredentials } from './support/graphql';

// Reads only: the fleet is written straight into the projection, and the API never reaches
// Temporal (its client connects lazily, on first use).

describe('the cost of a page', () => {
  it('a page of devices with their assets, sites and customers costs a constant number of queries', async () => {
    const tenantId = uniqueTenant('cost');
    const seeder = createDatabase(inject('databaseUrl'));
    await seedBoundDevices(seeder, tenantId, 100).finally(() => seeder.close());
    const database = countingDatabase(inject('databaseUrl'));
    const { yoga } = createApiApp({
      database,
      temporal: new Client(),
      twinSettings: { offlineGraceMs: 0 },
      egress: createEgress(),
      auth: TEST_AUTH,
    });
    const page = async (first: number) => {
      database.queries.length = 0;
      const response = await yoga.fetch('http://api/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...testCredentials() },
        body: JSON.stringify({
          query: `query ($t: ID!, $first: Int) { devices(tenantId: $t, first: $first) { nodes {
            deviceId alarmCounts { total } customer { name } site { name alarmCounts { total } }
            asset { assetId alarmCounts { total } device { deviceId } bindingHistory { deviceId } site { siteId customer { customerId } } } } } }`,
          variables: { t: tenantId, first },
        }),
      });
      const { data } = (await response.json()) as { data: any };
      return { nodes: data.devices.nodes as any[], queries: database.queries.length };
    };
    try {
      const small = await page(10);
      const large = await page(100);
      expect(large.nodes).toHaveLength(100);
      const d42 = large.nodes.find((n) => n.deviceId === 'd-042');
      expect(d42).toEqual({
        deviceId: 'd-042',
        alarmCounts: { total: 0 },
        customer: { name: 'Customer c1' },
        site: { name: 'Site s3', alarmCounts: { total: 0 } },
        asset: {
          assetId: 'a-042',
          alarmCounts: { total: 0 },
          device: { deviceId: 'd-042' },
          bindingHistory: [{ deviceId: 'd-042' }],
          site: { siteId: 's3', customer: { customerId: 'c1' } },
        },
      });
      // devices page, assets, sites, customers, bindings and the assets' devices: one each;
      // and the active alarm counts of the devices, assets and sites: one each.
      expect(large.queries).toBe(9);
      expect(small.queries).toBe(large.queries);
    } finally {
      await database.close();
    }
  });
});

import { projectAssetTwin } from '../../db/asset-projection';
import type { Database } from '../../db/client';
import { insertCustomer, insertSite } from '../../db/customer-site-store';
import { projectDeviceTwin } from '../../db/device-projection';
import { initialAssetState } from '../../twins/asset';
import { initialDeviceState } from '../../twins/device';

/**
 * Writes a bound fleet straight into the projection, through the same projection code the
 * twins use: customers c1, c2; sites s1..s4 (odd sites of c1); asset a-NNN with device d-NNN
 * bound, at site s(N mod 4 + 1). For read-side tests that need many rows fast.
 */
export async function seedBoundDevices(database: Database, tenantId: string, n: number) {
  const at = new Date().toISOString();
  for (const c of ['c1', 'c2'])
    await insertCustomer(database, { tenantId, customerId: c, name: `Customer ${c}` });
  for (let s = 1; s <= 4; s++) {
    const customerId = s % 2 ? 'c1' : 'c2';
    await insertSite(database, {
      tenantId,
      siteId: `s${s}`,
      customerId,
      name: `Site s${s}`,
      tags: [],
    });
  }
  const one = async (i: number) => {
    const suffix = String(i).padStart(3, '0');
    const [assetId, deviceId, site] = [`a-${suffix}`, `d-${suffix}`, (i % 4) + 1];
    const siteId = `s${site}`;
    const customerId = site % 2 ? 'c1' : 'c2';
    await projectAssetTwin(database, initialAssetState({ tenantId, assetId }), [
      {
        type: 'created',
        at,
        actor: 'test',
        name: `Asset ${assetId}`,
        kind: null,
        siteId,
        customerId,
        attributes: {},
        tags: [],
      },
      { type: 'device-bound', at, actor: 'test', deviceId, status: null },
    ]);
    await projectDeviceTwin(database, initialDeviceState({ tenantId, deviceId }), [
      { type: 'registered', at, actor: 'test', model: 'x' },
      { type: 'bound', at, assetId, siteId, customerId },
    ]);
  };
  for (let i = 0; i < n; i += 10)
    await Promise.all(Array.from({ length: Math.min(10, n - i) }, (_, k) => one(i + k)));
}

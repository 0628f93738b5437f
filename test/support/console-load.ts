// Page loads of the console on a large tenant, in Debian's Chromium: the browser test at 10,000
// devices (test/console-load.test.ts) and `npm run bench -- --only=console` both use it.
import type { Browser, Page } from 'playwright-core';
import { BULK_PROGRESS, PROVISION_DEVICES } from '../../graphql/cli/commands/bulk-queries';
import { graphql } from './graphql';
import type { TestStack } from './stack';

/** A page of the console and what on it says the page is ready to use. */
export interface ConsolePage {
  name: string;
  /** Under the console's origin, e.g. `/tenants/t1`. */
  path: string;
  ready(page: Page): Promise<void>;
}

export interface PageLoad {
  name: string;
  path: string;
  /** Navigation start to ready, ms, in a fresh browser context (nothing cached): one per run. */
  coldMs: number[];
  /** The same, navigating again in that context (the hashed assets cached, the API asked again). */
  warmMs: number[];
}

/** An exact count in one of the fleet summary's tiles (e.g. tile Devices, value total). */
const tileCount = (page: Page, tile: string, value: string, count: number) =>
  page
    .getByRole('figure', { name: tile })
    .locator(`[data-count="${value}"] dd`, { hasText: new RegExp(`^${count}$`) });

/**
 * The console's pages on a provisioned tenant and what each shows once it is usable (waited
 * for with Playwright's own locators, so the bench can use them outside a test).
 */
export const consolePages = (tenantId: string, devices: number): ConsolePage[] => {
  const home = `/tenants/${tenantId}`;
  const wait = { timeout: 30_000 };
  const rows = (page: Page, table: string, n: number) =>
    page
      .getByRole('table', { name: table })
      .locator('tbody tr')
      .nth(n - 1)
      .waitFor(wait);
  return [
    {
      name: 'Fleet overview',
      path: home,
      async ready(page) {
        await tileCount(page, 'Devices', 'total', devices).waitFor(wait);
        await page.getByRole('table').locator('tbody tr').nth(24).waitFor(wait);
      },
    },
    {
      name: 'Device page',
      path: `${home}/devices/SN-00042`,
      async ready(page) {
        await page.getByLabel('Lifecycle state').waitFor(wait);
        await page.getByRole('region', { name: 'Shadow' }).waitFor(wait);
      },
    },
    {
      name: 'Graph: customers',
      path: `${home}/graph`,
      ready: (page) =>
        page
          .locator('main table tbody tr')
          .nth(CUSTOMERS - 1)
          .waitFor(wait),
    },
    {
      name: 'Graph: a site',
      path: `${home}/graph?site=s1`,
      ready: (page) => page.locator('main table tbody tr').nth(4).waitFor(wait),
    },
    {
      name: 'Rollouts',
      path: `${home}/rollouts`,
      ready: (page) => rows(page, 'Rollouts', 1),
    },
    {
      name: `A rollout over ${devices / MODELS.length} devices`,
      path: `${home}/rollouts/r-meters`,
      async ready(page) {
        await page.getByRole('img').first().waitFor(wait);
        await rows(page, 'Rollout devices', 50);
      },
    },
    {
      name: 'New rollout (live target count)',
      path: `${home}/rollouts/new`,
      ready: (page) =>
        page
          .getByLabel('Matching devices')
          .filter({ hasText: `${devices} devices match` })
          .waitFor(wait),
    },
    {
      name: 'Bulk provisioning',
      path: `${home}/provisioning`,
      ready: (page) => page.getByRole('heading', { name: 'Bulk provisioning' }).waitFor(wait),
    },
    {
      name: 'Alarms',
      path: `${home}/alarms`,
      ready: (page) => page.getByText('No alarms').waitFor(wait),
    },
  ];
};

export const MODELS = ['EVC-22', 'EVC-11', 'TH-SENSOR', 'METER-3P'] as const;

/**
 * Provisions `count` devices into a tenant through the API's bulk provisioning (one CSV file:
 * serial, model, tags), the way an operator fills a tenant, and waits until every row is
 * recorded and awaits its device. Device ids are the serials `SN-00000`….
 */
export async function provisionTenant(stack: TestStack, tenantId: string, count: number) {
  await seedGraph(stack, tenantId);
  const csv = [
    'serial,model,tags,assetId',
    ...Array.from({ length: count }, (_, i) => {
      const serial = `SN-${String(i).padStart(5, '0')}`;
      const asset = i < ASSETS ? assetIdOf(i) : '';
      return `${serial},${MODELS[i % MODELS.length]},batch-${Math.floor(i / 1000)},${asset}`;
    }),
  ].join('\n');
  const res = await graphql(stack.apiUrl, PROVISION_DEVICES, {
    i: { tenantId, format: 'CSV', content: csv },
  });
  if (res.errors) throw new Error(`provisionDevices: ${JSON.stringify(res.errors)}`);
  const bulkId = res.data.provisionDevices.bulkId as string;
  const until = Date.now() + 600_000;
  while (Date.now() < until) {
    const progress = await graphql(stack.apiUrl, BULK_PROGRESS, { t: tenantId, b: bulkId });
    if (progress.errors) throw new Error(`bulkProvisioning: ${JSON.stringify(progress.errors)}`);
    const { counts } = progress.data.bulkProvisioning;
    if ((counts.awaitingActivation ?? 0) >= count) return;
    if ((counts.refused ?? 0) + (counts.failed ?? 0) > 0)
      throw new Error(`bulk provisioning refused or failed rows: ${JSON.stringify(counts)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`bulk provisioning of ${count} devices did not finish in 10 minutes`);
}

/** The graph beside the devices: 5 customers, 4 sites each, 5 assets a site (the first devices'). */
const CUSTOMERS = 5;
const SITES_PER_CUSTOMER = 4;
const ASSETS = CUSTOMERS * SITES_PER_CUSTOMER * 5;
const assetIdOf = (i: number) => `a-${String(i).padStart(3, '0')}`;
const siteOf = (i: number) => `s${(i % (CUSTOMERS * SITES_PER_CUSTOMER)) + 1}`;

async function ok(stack: TestStack, query: string, variables: Record<string, unknown>) {
  const res = await graphql(stack.apiUrl, query, variables);
  if (res.errors) throw new Error(`${query.slice(0, 40)}…: ${JSON.stringify(res.errors)}`);
  return res.data;
}

async function seedGraph(stack: TestStack, tenantId: string) {
  for (let c = 1; c <= CUSTOMERS; c++) {
    await ok(
      stack,
      'mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }',
      {
        i: { tenantId, customerId: `c${c}`, name: `Customer ${c}` },
      },
    );
  }
  for (let s = 1; s <= CUSTOMERS * SITES_PER_CUSTOMER; s++) {
    await ok(stack, 'mutation ($i: CreateSiteInput!) { createSite(input: $i) { site { id } } }', {
      i: {
        tenantId,
        siteId: `s${s}`,
        customerId: `c${((s - 1) % CUSTOMERS) + 1}`,
        name: `Site ${s}`,
      },
    });
  }
  for (let i = 0; i < ASSETS; i++) {
    await ok(stack, 'mutation ($i: CreateAssetInput!) { createAsset(input: $i) { version } }', {
      i: { tenantId, assetId: assetIdOf(i), siteId: siteOf(i), name: `Bay ${i}` },
    });
  }
}

/**
 * A firmware rollout over one model's devices (a quarter of the tenant). They never connect, so
 * it stays running with its canary waiting: the rollout pages show it over every targeted device.
 */
export async function startModelRollout(stack: TestStack, tenantId: string) {
  await ok(
    stack,
    'mutation ($t: ID!, $c: RolloutConfigInput!) { startRollout(tenantId: $t, rollout: $c) { created } }',
    {
      t: tenantId,
      c: {
        id: 'r-meters',
        firmware: { version: '2.0', url: 'https://firmware.example.com/2.0.bin' },
        target: { models: [MODELS[3]] },
        canary: { devices: 10 },
        waves: { mode: 'constant', size: 500 },
      },
    },
  );
}

/** The API's `me` as the console keeps it after a sign-in (role spelt as the role table does). */
async function whoIs(base: string, credential: string) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
    body: JSON.stringify({ query: '{ me { actor role tenantId temporalUi { url namespace } } }' }),
  });
  const { data } = (await response.json()) as {
    data: { me: { actor: string; role: string; tenantId: string | null; temporalUi: unknown } };
  };
  return { ...data.me, role: data.me.role.toLowerCase().replace(/_/g, '-') };
}

/** Navigation start → the page's ready marker, as the page's own clock measures it. */
async function loadOnce(page: Page, base: string, target: ConsolePage): Promise<number> {
  await page.goto(`${base}${target.path}`, { waitUntil: 'commit' });
  await target.ready(page);
  return page.evaluate(() => performance.now());
}

/**
 * Loads each page `runs` times cold (a fresh context: empty cache, the credential in its
 * sessionStorage as after a sign-in) and once warm after each cold load.
 */
export async function measurePageLoads(
  browser: Browser,
  base: string,
  credential: string,
  pages: readonly ConsolePage[],
  runs = 5,
): Promise<PageLoad[]> {
  const me = await whoIs(base, credential);
  const loads: PageLoad[] = [];
  for (const target of pages) {
    const load: PageLoad = { name: target.name, path: target.path, coldMs: [], warmMs: [] };
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      // A signed-in tab: the credential and what the API said of it (graphql/console/src/session.ts).
      await context.addInitScript(
        ([value, who]) => {
          sessionStorage.setItem('doppel.credential', value);
          sessionStorage.setItem('doppel.me', who);
        },
        [credential, JSON.stringify(me)] as const,
      );
      const page = await context.newPage();
      try {
        load.coldMs.push(await loadOnce(page, base, target));
        load.warmMs.push(await loadOnce(page, base, target));
      } finally {
        await context.close();
      }
    }
    loads.push(load);
  }
  return loads;
}

export const medianOf = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

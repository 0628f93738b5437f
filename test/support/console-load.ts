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
export const consolePages = (tenantId: string, devices: number): ConsolePage[] => [
  {
    name: 'Fleet overview',
    path: `/tenants/${tenantId}`,
    async ready(page) {
      await tileCount(page, 'Devices', 'total', devices).waitFor({ timeout: 30_000 });
      await page.getByRole('table').locator('tbody tr').nth(24).waitFor({ timeout: 30_000 });
    },
  },
];

export const MODELS = ['EVC-22', 'EVC-11', 'TH-SENSOR', 'METER-3P'] as const;

/**
 * Provisions `count` devices into a tenant through the API's bulk provisioning (one CSV file:
 * serial, model, tags), the way an operator fills a tenant, and waits until every row is
 * recorded and awaits its device. Device ids are the serials `SN-00000`….
 */
export async function provisionTenant(stack: TestStack, tenantId: string, count: number) {
  const csv = [
    'serial,model,tags',
    ...Array.from({ length: count }, (_, i) => {
      const serial = `SN-${String(i).padStart(5, '0')}`;
      return `${serial},${MODELS[i % MODELS.length]},batch-${Math.floor(i / 1000)}`;
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

/** The API's `me` as the console keeps it after a sign-in (role spelt as the role table does). */
async function whoIs(base: string, credential: string) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
    body: JSON.stringify({ query: '{ me { actor role tenantId } }' }),
  });
  const { data } = (await response.json()) as {
    data: { me: { actor: string; role: string; tenantId: string | null } };
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

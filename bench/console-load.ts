import { ensureConsole } from '../graphql/console/build';
import { consoleBase, launchConsoleBrowser, tokenOf } from '../test/support/console-browser';
import {
  consolePages,
  measurePageLoads,
  medianOf,
  provisionTenant,
  startModelRollout,
  type PageLoad,
} from '../test/support/console-load';
import { backendsOf, benchCommand, figuresLine, machine, withScratchStack } from './report';
import type { BenchOptions } from './report';

/** Issue 20, item 7: a tenant of 10,000 devices (`--quick`: 1,000). */
const DEVICES = { full: 10_000, quick: 1_000 } as const;
const RUNS = { full: 5, quick: 2 } as const;

/**
 * Each console page loaded in Debian's Chromium on a tenant of 10,000 bulk-provisioned devices:
 * navigation start to the page's ready marker (the counts of every device, a full page of rows,
 * …), cold (a fresh browser context, nothing cached) and warm (navigating again in it).
 */
export async function consoleLoadBench(opts: BenchOptions): Promise<string> {
  const profile = opts.profile ?? 'dev';
  const devices = opts.quick ? DEVICES.quick : DEVICES.full;
  const runs = opts.quick ? RUNS.quick : RUNS.full;
  await ensureConsole(opts.progress);
  const loads = await withScratchStack(async (stack) => {
    const tenantId = 'bench-console';
    opts.progress(`  provisioning ${devices} devices`);
    await provisionTenant(stack, tenantId, devices);
    await startModelRollout(stack, tenantId);
    const browser = await launchConsoleBrowser();
    try {
      const token = await tokenOf('operator', tenantId);
      const base = consoleBase(stack);
      opts.progress(`  loading each page ${runs} times cold, ${runs} warm`);
      return await measurePageLoads(browser, base, token, consolePages(tenantId, devices), runs);
    } finally {
      await browser.close();
    }
  }, profile);
  return section(loads, devices, runs, opts.quick, profile);
}

const ms = (x: number) => x.toFixed(0);

function section(
  loads: PageLoad[],
  devices: number,
  runs: number,
  quick: boolean,
  profile: 'dev' | 'cluster',
): string {
  const worst = Math.max(...loads.map((l) => medianOf(l.coldMs)));
  const rows = loads.map(
    (l) =>
      `| ${l.name} | \`${l.path.replace(/bench-console/, '<tenant>')}\` | ${ms(medianOf(l.coldMs))} | ${ms(Math.max(...l.coldMs))} | ${ms(medianOf(l.warmMs))} | ${medianOf(l.coldMs) <= 1000 ? 'met' : 'not met'} |`,
  );
  return `## The console: page loads on a tenant of ${devices.toLocaleString('en')} devices

Command: \`${benchCommand(quick, profile)}\`. Machine: ${machine()}. Backends: ${backendsOf(profile)}.
Debian's Chromium (headless, driven by playwright-core) against the API serving the built
console, the API, worker and gateway in the bench's process. The tenant's
${devices.toLocaleString('en')} devices come from one bulk provisioning file (four models, tags).
Each page is loaded ${runs} times in a fresh browser context (nothing cached: the JavaScript
bundle, the sign-in check, the page's queries) and once more in that context (assets cached).
Time: the page's own clock (\`performance.now()\`, from navigation start) when what makes the
page usable is on screen: the fleet overview's total of all devices and a full first page of
the table; the device page's lifecycle and shadow; the graph's customers (5) and a site's assets;
the rollouts list; a rollout over a quarter of the tenant with its wave bars and a full page of
its devices; the new-rollout form with the live count of every device; the provisioning and
alarms pages. The tenant also has 5 customers, 20 sites, 100 assets (the first devices bound to
them) and that rollout, running. Target (issue 20): ≤ 1 s per page.

| page | path | cold median ms | cold max ms | warm median ms | target ≤ 1,000 ms |
|---|---|---|---|---|---|
${rows.join('\n')}

The slowest page's cold median: **${ms(worst)} ms** (${worst <= 1000 ? 'met' : 'not met'}).
${figuresLine({
  section: 'console',
  profile,
  quick,
  figures: [
    {
      key: `slowest-page-cold-ms-${devices}`,
      label: `console: slowest page's cold load at ${devices.toLocaleString('en')} devices, ms`,
      value: Math.round(worst),
      better: 'lower',
    },
  ],
})}`;
}

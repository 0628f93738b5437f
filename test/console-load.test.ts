// Issue 20, item 7: every page of the console on a tenant of 10,000 devices, loaded in Debian's
// Chromium. The test asserts what each page shows (the counts of all 10,000, a page of rows, the
// filters answered by the server); the load times are measured and written to
// .data/console-load.json and the test's output — reported in BENCHMARKS.md by
// `npm run bench -- --only=console`, never asserted (tests assert behaviour, not timings).
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  consoleBase,
  launchConsoleBrowser,
  scrollsSideways,
  tokenOf,
} from './support/console-browser';
import {
  consolePages,
  MODELS,
  measurePageLoads,
  medianOf,
  provisionTenant,
  startModelRollout,
} from './support/console-load';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

const DEVICES = 10_000;
const tenantId = uniqueTenant('console-10k');
let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  browser = await launchConsoleBrowser();
  stack = await startTestStack();
  await provisionTenant(stack, tenantId, DEVICES);
  await startModelRollout(stack, tenantId);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const countOf = (page: Page, tile: string, value: string) =>
  page.getByRole('figure', { name: tile }).locator(`[data-count="${value}"] dd`);

describe(`the console on a tenant of ${DEVICES.toLocaleString('en')} devices`, () => {
  it('shows the counts of every device and pages the table on the server', async () => {
    const page = await browser.newPage();
    await page.addInitScript(
      (value) => sessionStorage.setItem('doppel.credential', value),
      await tokenOf('operator', tenantId),
    );
    await page.goto(`${consoleBase(stack)}/tenants/${tenantId}`);
    await consolePages(tenantId, DEVICES)[0]!.ready(page);
    for (const model of MODELS) {
      await expect
        .poll(() => countOf(page, 'Model', model).textContent())
        .toBe(String(DEVICES / MODELS.length));
    }
    await expect.poll(() => page.getByText(`1–25 of ${DEVICES}`).count()).toBe(1);
    const filters = page.getByRole('group', { name: 'Filters' });
    await filters.getByLabel('Model').fill(MODELS[1]);
    await filters.getByLabel('Model').press('Enter');
    await expect.poll(() => page.getByText(`1–25 of ${DEVICES / MODELS.length}`).count()).toBe(1);
    const first = await page.getByRole('table').locator('tbody tr').first().textContent();
    expect(first).toContain(MODELS[1]);
    await page.close();
  });

  it('loads every page (measured, not asserted)', async () => {
    const pages = consolePages(tenantId, DEVICES);
    const loads = await measurePageLoads(
      browser,
      consoleBase(stack),
      await tokenOf('operator', tenantId),
      pages,
      3,
    );
    expect(loads.map((l) => l.name)).toEqual(pages.map((p) => p.name));
    for (const load of loads) {
      expect(load.coldMs).toHaveLength(3);
      expect(load.coldMs.every((ms) => ms > 0)).toBe(true);
    }
    mkdirSync('.data', { recursive: true });
    writeFileSync(
      '.data/console-load.json',
      `${JSON.stringify({ devices: DEVICES, loads }, null, 2)}\n`,
    );
    for (const l of loads) {
      console.log(
        `console page load at ${DEVICES} devices: ${l.name} cold median ${medianOf(l.coldMs).toFixed(0)} ms, warm median ${medianOf(l.warmMs).toFixed(0)} ms`,
      );
    }
  });

  it('has no WCAG 2.1 A/AA violation on any page, and no page scrolls sideways on a tablet', async () => {
    const token = await tokenOf('operator', tenantId);
    const found: Record<string, unknown> = {};
    for (const target of consolePages(tenantId, DEVICES)) {
      for (const viewport of [
        { width: 1280, height: 800 },
        { width: 768, height: 1024 },
      ]) {
        const page = await browser.newPage({ viewport });
        await page.addInitScript(
          (value) => sessionStorage.setItem('doppel.credential', value),
          token,
        );
        await page.goto(`${consoleBase(stack)}${target.path}`);
        await target.ready(page);
        const violations = await accessibilityViolations(page);
        if (violations.length > 0) found[`${target.name} at ${viewport.width}`] = violations;
        if (await scrollsSideways(page))
          found[`${target.name} at ${viewport.width}`] = 'scrolls sideways';
        await page.close();
      }
    }
    expect(found).toEqual({});
  });
});

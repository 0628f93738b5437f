// Debian's Chromium driven by playwright-core against a test stack's console: one launch per test
// file, sign-in as a user would, screenshots to docs/console/ (shown in the README).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type AxeCore from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CONSOLE_DIST } from '../../graphql/console/build';
import { bearer } from './auth';
import type { TestStack } from './stack';

export const SCREENSHOTS = path.join(import.meta.dirname, '..', '..', 'docs', 'console');

/** As root on a closed network: no sandbox, no GPU, none of Chromium's own network traffic. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Chromium with a fresh, empty profile. The console is built once for the whole suite
 * by test/global-setup.ts (the bench builds it itself), never here: test files run in parallel.
 */
export async function launchConsoleBrowser(): Promise<Browser> {
  if (!existsSync(path.join(CONSOLE_DIST, 'index.html')))
    throw new Error('the console is not built: npm run console:build');
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** Where a stack serves its console (the API's origin). */
export const consoleBase = (stack: TestStack) => stack.apiUrl.replace(/\/graphql$/, '');

/** A role's bearer token for one tenant, as pasted into the sign-in page. */
export const tokenOf = async (role: 'operator' | 'viewer' | 'tenant-admin', tenantId: string) =>
  (await bearer(role, tenantId)).authorization.replace(/^Bearer /, '');

/** Signs in at `at` (default `/`): the console keeps the path it was opened at. */
export async function signIn(page: Page, base: string, token: string, at = '/') {
  await page.goto(`${base}${at}`);
  await page.getByLabel('API key or token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

export interface AccessibilityViolation {
  rule: string;
  impact: string | null;
  help: string;
  /** CSS selectors of the offending elements. */
  targets: string[];
}

/**
 * What axe-core (Deque's accessibility engine, run in the page) finds against WCAG 2.1 A and AA
 * on the page as it is now: labels, names, roles, contrast, landmarks. Tests expect none.
 */
export async function accessibilityViolations(page: Page): Promise<AccessibilityViolation[]> {
  const { source } = (await import('axe-core')).default;
  await page.addScriptTag({ content: source });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof AxeCore }).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact ?? null,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
}

/** Whether the page scrolls sideways (a table may scroll inside its own box; the page may not). */
export const scrollsSideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);

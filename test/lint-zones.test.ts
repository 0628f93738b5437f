import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The zones of eslint.config.js, checked on real files written into the repository's own
 * folders (the rules match by path, and a cycle only exists between files on disk), linted
 * with ESLint's Node API as `npm run lint` lints them, then deleted.
 */
const root = path.resolve(import.meta.dirname, '..');
const tag = `__zone_probe_${process.pid}`;
const probes: Record<string, string> = {
  [`workflows/activities/${tag}.ts`]: `import { WebhookRouter } from '../../gateway/routing/webhooks';\nexport const probe = WebhookRouter;\n`,
  [`workflows/worker/${tag}.ts`]: `import { WebhookRouter } from '../../gateway/routing/webhooks';\nexport const probe = WebhookRouter;\n`,
  [`gateway/${tag}.ts`]: `import { sql } from 'drizzle-orm';\nexport const probe = sql;\n`,
  [`deploy/${tag}.ts`]: `import postgres from 'postgres';\nexport const probe = postgres;\n`,
  [`graphql/${tag}_tables.ts`]: `import { deviceTwins } from '../db/schema';\nexport const probe = deviceTwins;\n`,
  [`outbound/${tag}.ts`]: `import { WebhookRouter } from '../gateway/routing/webhooks';\nexport const probe = WebhookRouter;\n`,
  [`graphql/${tag}_a.ts`]: `import { b } from './${tag}_b';\nexport const a = (): unknown => b;\n`,
  [`graphql/${tag}_b.ts`]: `import { a } from './${tag}_a';\nexport const b = (): unknown => a;\n`,
  [`twins/${tag}.ts`]: `${Array.from({ length: 401 }, (_, i) => `export const line${i} = ${i};`).join('\n')}\n`,
  // Allowed: SQL in db/, outbound/ from activities, the gateway and the API, type-only cycles.
  [`db/${tag}.ts`]: `import { sql } from 'drizzle-orm';\nexport const probe = sql;\n`,
  [`workflows/activities/${tag}_ok.ts`]: `import { postSigned } from '../../outbound/signed-post';\nexport const probe = postSigned;\n`,
  [`gateway/${tag}_ok.ts`]: `import { createEgress } from '../outbound/egress';\nexport const probe = createEgress;\n`,
  [`graphql/${tag}_ta.ts`]: `import type { B } from './${tag}_tb';\nexport type A = { b?: B };\nexport const a = 1;\n`,
  [`graphql/${tag}_tb.ts`]: `import type { A } from './${tag}_ta';\nexport type B = { a?: A };\nexport const b = 2;\n`,
};

let found: Record<string, string[]> = {};

beforeAll(async () => {
  try {
    for (const [file, code] of Object.entries(probes)) writeFileSync(path.join(root, file), code);
    const results = await new ESLint({ cwd: root }).lintFiles(Object.keys(probes));
    found = Object.fromEntries(
      results.map((r) => [
        path.relative(root, r.filePath),
        r.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`),
      ]),
    );
  } finally {
    for (const file of Object.keys(probes)) rmSync(path.join(root, file), { force: true });
  }
}, 120_000);
afterAll(() => {
  for (const file of Object.keys(probes)) rmSync(path.join(root, file), { force: true });
});

describe('lint zones', () => {
  it('refuse an activity or the worker that imports the gateway', () => {
    expect(found[`workflows/activities/${tag}.ts`]).toEqual([
      '@typescript-eslint/no-restricted-imports',
    ]);
    expect(found[`workflows/worker/${tag}.ts`]).toEqual([
      '@typescript-eslint/no-restricted-imports',
    ]);
  });

  it('refuse drizzle-orm, postgres and the tables outside db/, and allow them in db/', () => {
    expect(found[`gateway/${tag}.ts`]).toEqual(['no-restricted-imports']);
    expect(found[`deploy/${tag}.ts`]).toEqual(['no-restricted-imports']);
    expect(found[`graphql/${tag}_tables.ts`]).toEqual(['no-restricted-imports']);
    expect(found[`db/${tag}.ts`]).toEqual([]);
  });

  it('keep outbound/ neutral, and open it to activities and the gateway', () => {
    expect(found[`outbound/${tag}.ts`]).toEqual(['@typescript-eslint/no-restricted-imports']);
    expect(found[`workflows/activities/${tag}_ok.ts`]).toEqual([]);
    expect(found[`gateway/${tag}_ok.ts`]).toEqual([]);
  });

  it('refuse an import cycle, but not one of type-only imports', () => {
    expect(found[`graphql/${tag}_a.ts`]).toEqual(['import-x/no-cycle']);
    expect(found[`graphql/${tag}_b.ts`]).toEqual(['import-x/no-cycle']);
    expect(found[`graphql/${tag}_ta.ts`]).toEqual([]);
    expect(found[`graphql/${tag}_tb.ts`]).toEqual([]);
  });

  it('refuse a file past 400 lines of code', () => {
    expect(found[`twins/${tag}.ts`]).toEqual(['max-lines']);
  });
});

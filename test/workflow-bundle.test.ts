import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../workflows/worker/start-worker';

describe('workflow bundle', () => {
  it('bundles every workflow for the Temporal sandbox', async () => {
    const bundle = await bundleWorkflows();
    expect(bundle.code).toContain('deviceTwin');
    expect(bundle.code.length).toBeGreaterThan(10_000);
  });

  it('bundles only the packages workflows need: every workflow instantiates each module', async () => {
    // The reusable V8 context evaluates every module of the bundle again for each workflow it
    // creates or replays; zod's schemas cost ~4 ms and most of a cached twin's memory per twin.
    const { code } = await bundleWorkflows();
    const packages = new Set(
      [...code.matchAll(/"\.\/node_modules\/((?:@[^/"]+\/)?[^/"]+)\//g)].map((m) => m[1]),
    );
    expect([...packages].sort()).toEqual(
      ['@temporalio/common', '@temporalio/workflow', 'croner', 'long', 'ms', 'nexus-rpc'].sort(),
    );
  });

  it('fails when workflow code imports a Node built-in', async () => {
    const workflowsPath = fileURLToPath(
      new URL('./fixtures/forbidden-workflow.ts', import.meta.url),
    );
    const errors: string[] = [];
    const logger = {
      trace() {},
      debug() {},
      info() {},
      warn() {},
      log() {},
      error: (m: string) => void errors.push(m),
    };
    await expect(bundleWorkflowCode({ workflowsPath, logger })).rejects.toThrow(
      /Webpack finished with errors/,
    );
    expect(errors.join('\n')).toMatch(/ERROR in node:fs|disallowed modules[\s\S]*\bfs\b/);
  });
});

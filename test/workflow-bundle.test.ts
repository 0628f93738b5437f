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

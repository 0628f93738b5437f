import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import type { WorkflowBundle } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../workflows/worker/start-worker';

const DIR = fileURLToPath(new URL('./histories', import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

/**
 * Workflow histories captured from real runs (npm run histories:capture) replayed against
 * today's workflow code: a change that would break running twins — a non-deterministic
 * change — fails here instead of in production.
 */
let workflowBundle: WorkflowBundle;
beforeAll(async () => {
  workflowBundle = await bundleWorkflows();
});

describe('replay of captured workflow histories', () => {
  it('has captured histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)('%s replays deterministically', async (file) => {
    const { workflowId, history } = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as {
      workflowId: string;
      history: unknown;
    };
    const result = await Worker.runReplayHistory(
      { workflowBundle, replayName: file },
      historyFromJSON(history),
      workflowId,
    );
    expect(result).toBeUndefined();
  });
});

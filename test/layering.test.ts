import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId?.includes('no-restricted-imports'))
    .map((m) => m.message);
}

describe('layering is enforced by lint', () => {
  it.each([
    [
      'twins/device/x.ts',
      `import { readFileSync } from 'node:fs';\nexport const x = readFileSync;`,
    ],
    ['twins/device/x.ts', `import { randomUUID } from 'crypto';\nexport const x = randomUUID;`],
    [
      'twins/device/x.ts',
      `import { createDatabase } from '../../db/client';\nexport const x = createDatabase;`,
    ],
    [
      'workflows/device-twin/x.ts',
      `import { setTimeout } from 'node:timers/promises';\nexport const x = setTimeout;`,
    ],
    [
      'workflows/device-twin/x.ts',
      `import { findDeviceTwin } from '../../db/device-projection';\nexport const x = findDeviceTwin;`,
    ],
    [
      'workflows/device-twin/x.ts',
      `import { createTwinActivities } from '../activities';\nexport const x = createTwinActivities;`,
    ],
    [
      'workflows/device-twin/x.ts',
      `import { Client } from '@temporalio/client';\nexport const x = Client;`,
    ],
    ['gateway/x.ts', `import { schema } from '../graphql/schema';\nexport const x = schema;`],
    [
      'graphql/x.ts',
      `import { IngestWriter } from '../gateway/ingest-writer';\nexport const x = IngestWriter;`,
    ],
    [
      'db/x.ts',
      `import { startGateway } from '../gateway/start-gateway';\nexport const x = startGateway;`,
    ],
  ])('%s: refuses %s', async (file, code) => {
    expect(await problems(file, code)).toHaveLength(1);
  });

  it.each([
    [
      'twins/device/x.ts',
      `import { z } from 'zod';\nimport type { DeviceKey } from '../ids';\nexport const x = z; export type K = DeviceKey;`,
    ],
    [
      'workflows/device-twin/x.ts',
      `import type { TwinActivities } from '../activities';\nexport type A = TwinActivities;`,
    ],
    [
      'gateway/x.ts',
      `import { sendToDeviceTwin } from '../workflows/device-twin/client';\nimport { readFileSync } from 'node:fs';\nexport const x = [sendToDeviceTwin, readFileSync];`,
    ],
    [
      'workflows/activities/x.ts',
      `import { createDatabase } from '../../db/client';\nexport const x = createDatabase;`,
    ],
  ])('%s: allows %s', async (file, code) => {
    expect(await problems(file, code)).toEqual([]);
  });
});

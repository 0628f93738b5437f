import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '../db/migrate';
import { freePort } from '../deploy/embedded/child-process';
import { startInfrastructure } from '../deploy/embedded/infrastructure';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
  }
}

/**
 * One real Temporal dev server (in memory) and one real PostgreSQL cluster for the whole
 * suite, on free ports, in a temporary folder. TEST_TEMPORAL_ADDRESS / TEST_DATABASE_URL
 * point the suite at running servers instead.
 */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'doppel-test-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root
  const infra = await startInfrastructure({
    dataDir,
    namespace: 'default',
    ...(process.env.TEST_TEMPORAL_ADDRESS
      ? { temporalAddress: process.env.TEST_TEMPORAL_ADDRESS }
      : {}),
    temporalPort: await freePort(),
    ...(process.env.TEST_DATABASE_URL ? { databaseUrl: process.env.TEST_DATABASE_URL } : {}),
    postgresPort: await freePort(),
    ephemeral: true,
    // Twins are told to continue-as-new after a few hundred events, so tests exercise it.
    temporalDynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 300 },
    log: () => {},
  });
  await migrateDatabase(infra.databaseUrl);
  project.provide('temporalAddress', infra.temporalAddress);
  project.provide('databaseUrl', infra.databaseUrl);
  return async () => {
    await infra.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '../db/migrate';
import { APP_ROLE, ensureAppRole } from '../db/app-role';
import { startScratchInfrastructure } from '../deploy/embedded/infrastructure';
import { ensureConsole } from '../graphql/console/build';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /** The URL the stacks use: the owner's, or the application role's with TEST_DATABASE_ROLE=app. */
    databaseUrl: string;
    /** The tables' owner (a superuser): for tests that need more than the application may do. */
    ownerDatabaseUrl: string;
  }
}

/**
 * One real Temporal dev server (in memory) and one real PostgreSQL cluster for the whole
 * suite, on free ports, in a temporary folder. TEST_TEMPORAL_ADDRESS / TEST_DATABASE_URL
 * point the suite at running servers instead.
 */
export default async function setup(project: TestProject) {
  // The console's browser tests need its build. Built here, once, before any test file runs:
  // files run in parallel, and a build in one (Vite empties dist/) would pull the assets from
  // under a page another file has open.
  await ensureConsole((line) => console.log(line));
  const infra = await startScratchInfrastructure({
    ...(process.env.TEST_TEMPORAL_ADDRESS
      ? { temporalAddress: process.env.TEST_TEMPORAL_ADDRESS }
      : {}),
    ...(process.env.TEST_DATABASE_URL ? { databaseUrl: process.env.TEST_DATABASE_URL } : {}),
    // Twins are told to continue-as-new after a few hundred events, so tests exercise it.
    temporalDynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 300 },
  });
  project.provide('temporalAddress', infra.temporalAddress);
  project.provide('ownerDatabaseUrl', infra.databaseUrl);
  // TEST_DATABASE_ROLE=app: every stack works as an application role that owns nothing, as in
  // production (docs/database-roles.md), so a grant the code needs and lacks fails its test.
  if (process.env.TEST_DATABASE_ROLE === 'app') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'doppel-app-role-'));
    const appUrl = await ensureAppRole(infra.databaseUrl, path.join(dir, 'password'), APP_ROLE);
    rmSync(dir, { recursive: true, force: true });
    await migrateDatabase(infra.databaseUrl, { appRole: APP_ROLE });
    project.provide('databaseUrl', appUrl);
  } else project.provide('databaseUrl', infra.databaseUrl);
  return () => infra.stop();
}

import type { TestProject } from 'vitest/node';
import { startScratchInfrastructure } from '../deploy/embedded/infrastructure';

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
  const infra = await startScratchInfrastructure({
    ...(process.env.TEST_TEMPORAL_ADDRESS
      ? { temporalAddress: process.env.TEST_TEMPORAL_ADDRESS }
      : {}),
    ...(process.env.TEST_DATABASE_URL ? { databaseUrl: process.env.TEST_DATABASE_URL } : {}),
    // Twins are told to continue-as-new after a few hundred events, so tests exercise it.
    temporalDynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 300 },
  });
  project.provide('temporalAddress', infra.temporalAddress);
  project.provide('databaseUrl', infra.databaseUrl);
  return () => infra.stop();
}

/**
 * The environment a role process that migrates at start needs besides DATABASE_URL: with
 * TEST_DATABASE_ROLE=app the suite's DATABASE_URL is an application role that may not migrate,
 * so the owner's URL goes along as MIGRATION_DATABASE_URL, as in production.
 */
export async function migrationEnv(): Promise<Record<string, string>> {
  if (process.env.TEST_DATABASE_ROLE !== 'app') return {};
  const { inject } = await import('vitest');
  return { MIGRATION_DATABASE_URL: inject('ownerDatabaseUrl') };
}

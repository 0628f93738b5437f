import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { grantAppRole } from './app-grants';
import { MIGRATIONS_FOLDER } from './schema-version';

/**
 * Applies the pending drizzle migrations as the user of `url` (the tables' owner), then gives
 * `appRole`, when there is one, exactly the application's grants (db/app-grants.ts). Safe to
 * run from several processes at once.
 */
export async function migrateDatabase(
  url: string,
  options: { appRole?: string | undefined } = {},
): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    // Two roles starting together must not race on the migrations table.
    await sql`select pg_advisory_lock(7263551)`;
    await migrate(drizzle(sql), { migrationsFolder: MIGRATIONS_FOLDER });
    if (options.appRole) await grantAppRole(sql, options.appRole);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

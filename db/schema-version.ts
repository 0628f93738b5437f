import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type postgres from 'postgres';
import { DoppelError } from '../twins/errors';

/** This build's migrations (drizzle-kit's output). */
export const MIGRATIONS_FOLDER = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'migrations',
);
/** Where drizzle's migrator records what it applied (drizzle-orm's defaults). */
export const MIGRATIONS_SCHEMA = 'drizzle';
export const MIGRATIONS_TABLE = '__drizzle_migrations';

/**
 * The migrations of this build the database has not applied yet, as drizzle's migrator counts
 * them: every migration newer than the last one recorded. A database ahead of this build (a
 * newer release migrated it during a rolling upgrade) has none pending.
 */
export async function pendingMigrations(sql: postgres.Sql): Promise<number> {
  const ours = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  let applied: number;
  try {
    const [last] = await sql<{ at: string | null }[]>`
      select max(created_at)::text as at from ${sql(MIGRATIONS_SCHEMA)}.${sql(MIGRATIONS_TABLE)}`;
    applied = Number(last?.at ?? 0);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 3F000: no schema "drizzle", 42P01: no table: nothing was ever migrated here.
    if (code === '3F000' || code === '42P01') return ours.length;
    if (code === '42501')
      throw new DoppelError(
        'db:schema.unreadable',
        `DATABASE_URL's role may not read ${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}, so it cannot tell whether the schema is current`,
        {
          hint: 'run npm run db:migrate as the owner with DATABASE_APP_ROLE (or DATABASE_URL) naming this role: the migration grants it (docs/database-roles.md)',
          cause: error,
        },
      );
    throw error;
  }
  return ours.filter((m) => m.folderMillis > applied).length;
}

/**
 * Refuses, with `db:schema.behind`, a database whose schema is older than this build: for a
 * role that does not migrate at start (MIGRATE_AT_START=false) and must not run on a schema
 * its queries do not match.
 */
export async function requireCurrentSchema(sql: postgres.Sql, role: string): Promise<void> {
  const pending = await pendingMigrations(sql);
  if (pending === 0) return;
  const total = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length;
  throw new DoppelError(
    'db:schema.behind',
    `the database lacks ${pending} of this build's ${total} migrations, and this ${role} does not migrate at start (MIGRATE_AT_START=false)`,
    {
      hint: "run the migration step first (npm run db:migrate with MIGRATION_DATABASE_URL: the compose service migrate, the chart's db:migrate Job), or let the role migrate with MIGRATE_AT_START=true and MIGRATION_DATABASE_URL",
    },
  );
}

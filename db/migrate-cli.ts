import { z } from 'zod';
import { DoppelError } from '../twins/errors';
import { appRoleFor } from './app-grants';
import { migrateDatabase } from './migrate';

const env = z
  .object({
    DATABASE_URL: z.url().optional(),
    MIGRATION_DATABASE_URL: z.url().optional(),
    DATABASE_APP_ROLE: z.string().min(1).optional(),
  })
  .refine((e) => e.DATABASE_URL ?? e.MIGRATION_DATABASE_URL, {
    message: 'set MIGRATION_DATABASE_URL (the tables owner) or DATABASE_URL',
    path: ['MIGRATION_DATABASE_URL'],
  })
  .safeParse(process.env);
if (!env.success) {
  console.error(
    `db:migrate needs MIGRATION_DATABASE_URL or DATABASE_URL (a postgres:// URL):\n${z.prettifyError(env.error)}`,
  );
  process.exit(2);
}
const migrationUrl = (env.data.MIGRATION_DATABASE_URL ?? env.data.DATABASE_URL)!;
const appRole = appRoleFor({
  migrationUrl,
  databaseUrl: env.data.DATABASE_URL,
  appRole: env.data.DATABASE_APP_ROLE,
});
try {
  await migrateDatabase(migrationUrl, { appRole });
} catch (error) {
  if (!(error instanceof DoppelError)) throw error;
  console.error(
    `db:migrate: ${error.code}: ${error.message}${error.hint ? `\n  fix: ${error.hint}` : ''}`,
  );
  process.exit(1);
}
console.log(appRole ? `migrations applied; ${appRole} granted` : 'migrations applied');

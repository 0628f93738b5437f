import { z } from 'zod';
import { DoppelError } from '../twins/errors';
import { appRoleFor } from './app-grants';
import { migrateDatabase } from './migrate';
import { migrateEnv } from './migrate-env';

const env = migrateEnv.safeParse(process.env);
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

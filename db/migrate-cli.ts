import { z } from 'zod';
import { migrateDatabase } from './migrate';

const env = z.object({ DATABASE_URL: z.url() }).safeParse(process.env);
if (!env.success) {
  console.error(
    `db:migrate needs DATABASE_URL (a postgres:// URL):\n${z.prettifyError(env.error)}`,
  );
  process.exit(2);
}
await migrateDatabase(env.data.DATABASE_URL);
console.log('migrations applied');

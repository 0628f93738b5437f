import { z } from 'zod';

/** What `npm run db:migrate` (db/migrate-cli.ts) reads; deploy/validate checks deploy files against it. */
export const migrateEnv = z
  .object({
    /** The tables' owner, which applies the migrations. */
    MIGRATION_DATABASE_URL: z.url().optional(),
    /** The application role; only its user is read, to name the role the migration grants. */
    DATABASE_URL: z.url().optional(),
    /** The role the migration grants to, where the step has no DATABASE_URL (a migration job). */
    DATABASE_APP_ROLE: z.string().min(1).optional(),
  })
  .refine((e) => e.DATABASE_URL ?? e.MIGRATION_DATABASE_URL, {
    message: 'set MIGRATION_DATABASE_URL (the tables owner) or DATABASE_URL',
    path: ['MIGRATION_DATABASE_URL'],
  });

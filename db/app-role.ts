import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import postgres from 'postgres';

/** The role a private PostgreSQL's role processes connect as: it owns nothing. */
export const APP_ROLE = 'doppel_app';

/**
 * Makes sure the application role exists on a PostgreSQL we administer (`ownerUrl`: a
 * superuser or a role with CREATEROLE), with the password kept in `passwordFile` (created on
 * first use, mode 600), and returns `ownerUrl` with the role's name and password in it. The
 * grants come from the migration (`migrateDatabase(ownerUrl, { appRole })`).
 *
 * The embedded profile calls it for its private cluster; the cluster profile can do the same
 * and hand the role processes DATABASE_URL = the returned URL, MIGRATION_DATABASE_URL = ownerUrl.
 */
export async function ensureAppRole(
  ownerUrl: string,
  passwordFile: string,
  role: string = APP_ROLE,
): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new Error(`"${role}" is not a plain role name`);
  if (!existsSync(passwordFile))
    writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();
  if (!/^[A-Za-z0-9_-]+$/.test(password))
    throw new Error(`${passwordFile} must hold letters, digits, "-" and "_" only`);
  const sql = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    const [found] = await sql`select 1 from pg_roles where rolname = ${role}`;
    // CREATE/ALTER ROLE take no parameters; the password's alphabet is checked above.
    await sql.unsafe(
      `${found ? 'alter' : 'create'} role "${role}" login nosuperuser nocreatedb nocreaterole password '${password}'`,
    );
  } finally {
    await sql.end({ timeout: 5 });
  }
  const url = new URL(ownerUrl);
  url.username = role;
  url.password = password;
  return url.toString();
}

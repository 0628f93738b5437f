import type postgres from 'postgres';
import { DoppelError } from '../twins/errors';
import { MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from './schema-version';

type Privilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

const READ_APPEND: readonly Privilege[] = ['SELECT', 'INSERT'];
/** INSERT … ON CONFLICT DO UPDATE and SELECT … FOR UPDATE need UPDATE too. */
const READ_WRITE: readonly Privilege[] = ['SELECT', 'INSERT', 'UPDATE'];
const READ_WRITE_REMOVE: readonly Privilege[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];

/**
 * What the application role may do to each table, as the code in db/, gateway/ and workflows/
 * does it. Deliberate: a table missing here stops the migration with a code, and nothing gets
 * TRUNCATE, REFERENCES or TRIGGER. Append-only tables (triggers of migrations 0018, 0022, 0024)
 * and tables only ever appended to get SELECT and INSERT alone.
 */
export const APP_TABLE_PRIVILEGES: Readonly<Record<string, readonly Privilege[]>> = {
  admission_hooks: READ_WRITE_REMOVE,
  alarm_comments: READ_APPEND,
  alarm_event_versions: READ_WRITE,
  alarm_notification_cursor: READ_WRITE,
  alarm_notifications: READ_WRITE,
  alarm_rule_versions: READ_APPEND,
  alarm_rules: READ_WRITE,
  alarm_states: READ_WRITE_REMOVE,
  alarms: READ_WRITE,
  api_keys: READ_WRITE,
  asset_bindings: READ_WRITE,
  assets: READ_WRITE,
  audit_entries: READ_APPEND,
  backends: READ_WRITE_REMOVE,
  bulk_provisioning_rows: READ_WRITE,
  bulk_provisionings: READ_WRITE,
  charging_session_events: READ_APPEND,
  charging_sessions: READ_WRITE,
  claim_attempts: READ_WRITE_REMOVE,
  claim_tokens: READ_WRITE,
  customers: READ_APPEND,
  device_credentials: READ_WRITE,
  device_lifecycle_history: READ_APPEND,
  // Retention drops its day partitions (device_log_partitions(), SECURITY DEFINER).
  device_log_lines: READ_APPEND,
  device_login_refusals: READ_WRITE,
  device_profiles: READ_WRITE,
  device_sessions: READ_WRITE_REMOVE,
  device_provisioning: READ_WRITE,
  device_twins: READ_WRITE,
  fault_fingerprint_devices: READ_WRITE,
  fault_fingerprints: READ_WRITE,
  ledger_checkpoints: READ_APPEND,
  ledger_entries: READ_APPEND,
  ledger_keys: READ_APPEND,
  notification_channels: READ_WRITE,
  log_requests: READ_WRITE,
  // A key is set, rotated and removed (setMeterPublicKey).
  meter_public_keys: READ_WRITE_REMOVE,
  log_uploads: READ_WRITE_REMOVE,
  ocpi_locations: READ_WRITE_REMOVE,
  ocpi_parties: READ_WRITE_REMOVE,
  // What the Locations push sent; a Location sent as removed is forgotten.
  ocpi_pushed_locations: READ_WRITE_REMOVE,
  // Expired reservations are deleted when an id is reused (db/ocpi-reservation-store.ts).
  ocpi_reservations: READ_WRITE_REMOVE,
  // Real-time ALLOWEDs are appended by the gateway, pruned after a day (ocpi-session-claims.ts).
  ocpi_realtime_authorizations: ['SELECT', 'INSERT', 'DELETE'],
  // START_SESSION attributions are pruned after a day (db/ocpi-session-claims.ts).
  ocpi_session_starts: READ_WRITE_REMOVE,
  ocpi_sessions: READ_WRITE,
  ocpi_tariffs: READ_WRITE_REMOVE,
  ocpi_settings: READ_WRITE,
  // Removed with their party (ON DELETE CASCADE).
  ocpi_tokens: READ_WRITE_REMOVE,
  outbox: ['SELECT', 'INSERT', 'DELETE'],
  outbox_horizon: READ_WRITE,
  rollout_devices: READ_WRITE,
  rollout_health_checks: READ_WRITE,
  rollouts: READ_WRITE,
  session_record_notes: READ_WRITE,
  session_records: READ_APPEND,
  session_signed_values: READ_APPEND,
  site_load_limits: READ_WRITE,
  site_load_notices: READ_WRITE_REMOVE,
  sites: READ_APPEND,
  telemetry: READ_APPEND,
  twin_notices: READ_WRITE_REMOVE,
  webhook_dead_letters: READ_WRITE_REMOVE,
  webhooks: READ_WRITE_REMOVE,
};

const SCHEMA = 'public';

const ROLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * The role the migration grants to: DATABASE_APP_ROLE when set, else the user of DATABASE_URL
 * when it differs from the migration's user; none when both URLs name the same user (one role
 * for everything, as before MIGRATION_DATABASE_URL existed).
 */
export function appRoleFor(env: {
  databaseUrl?: string | undefined;
  migrationUrl: string;
  appRole?: string | undefined;
}): string | undefined {
  if (env.appRole) return env.appRole;
  if (!env.databaseUrl) return undefined;
  const app = decodeURIComponent(new URL(env.databaseUrl).username);
  const owner = decodeURIComponent(new URL(env.migrationUrl).username);
  return app && app !== owner ? app : undefined;
}

/**
 * Gives `role` exactly APP_TABLE_PRIVILEGES, run by the tables' owner after every migration:
 * everything is revoked and granted afresh, so a privilege dropped from the list is taken back
 * and a new table is covered as soon as the list names it.
 */
export async function grantAppRole(sql: postgres.Sql, role: string): Promise<void> {
  if (!ROLE_NAME.test(role))
    throw new DoppelError('db:app-role.bad-name', `"${role}" is not a plain role name`, {
      hint: 'use letters, digits and "_" (e.g. doppel_app)',
    });
  // A member of the owner's role may act as the owner: as good as the owner itself.
  const [found] = await sql<{ rolsuper: boolean; is_me: boolean }[]>`
    select rolsuper, pg_has_role(rolname, current_user, 'USAGE') as is_me
    from pg_roles where rolname = ${role}`;
  if (!found)
    throw new DoppelError('db:app-role.missing', `the application role "${role}" does not exist`, {
      hint: `create it first (docs/database-roles.md): CREATE ROLE ${role} LOGIN PASSWORD '…'`,
    });
  if (found.rolsuper || found.is_me)
    throw new DoppelError(
      'db:app-role.privileged',
      `the application role "${role}" is ${found.rolsuper ? 'a superuser' : 'the migration user or a member of it'}: the append-only triggers would not bind it`,
      { hint: 'give DATABASE_URL (or DATABASE_APP_ROLE) a role that owns nothing' },
    );
  const tables = await sql<{ name: string }[]>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${SCHEMA} and c.relkind in ('r', 'p') and not c.relispartition order by 1`;
  const unlisted = tables.map((t) => t.name).filter((t) => !APP_TABLE_PRIVILEGES[t]);
  if (unlisted.length > 0)
    throw new DoppelError(
      'db:app-role.table-without-grant',
      `no privileges for the application role are listed for ${unlisted.join(', ')}`,
      { hint: 'add each table to APP_TABLE_PRIVILEGES in db/app-grants.ts' },
    );
  const [schema, grantee] = [quote(SCHEMA), quote(role)];
  await sql.begin(async (tx) => {
    await tx.unsafe(`revoke all on all tables in schema ${schema} from ${grantee}`);
    await tx.unsafe(`revoke all on all sequences in schema ${schema} from ${grantee}`);
    await tx.unsafe(`revoke create on schema ${schema} from ${grantee}`);
    await tx.unsafe(`grant usage on schema ${schema} to ${grantee}`);
    for (const { name } of tables) {
      const privileges = APP_TABLE_PRIVILEGES[name]!.join(', ');
      await tx.unsafe(`grant ${privileges} on ${schema}.${quote(name)} to ${grantee}`);
    }
    // Identity columns draw from their sequences without a grant; serials need USAGE.
    await tx.unsafe(`grant usage on all sequences in schema ${schema} to ${grantee}`);
    // Reading what was migrated lets a role that does not migrate refuse an old schema
    // (db/schema-version.ts); nothing else of drizzle's schema.
    await tx.unsafe(
      `revoke all on all tables in schema ${quote(MIGRATIONS_SCHEMA)} from ${grantee}`,
    );
    await tx.unsafe(`grant usage on schema ${quote(MIGRATIONS_SCHEMA)} to ${grantee}`);
    await tx.unsafe(
      `grant select on ${quote(MIGRATIONS_SCHEMA)}.${quote(MIGRATIONS_TABLE)} to ${grantee}`,
    );
  });
  const [schemaCreate] = await sql<{ can: boolean }[]>`
    select has_schema_privilege(${role}, ${SCHEMA}, 'CREATE') as can`;
  if (schemaCreate?.can)
    throw new DoppelError(
      'db:app-role.can-create',
      `the application role "${role}" can still create objects in schema ${SCHEMA} (through PUBLIC or a role it belongs to)`,
      {
        hint: `as the schema's owner run: REVOKE CREATE ON SCHEMA ${SCHEMA} FROM PUBLIC (PostgreSQL before 15 grants it to everyone)`,
      },
    );
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

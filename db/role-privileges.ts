import type postgres from 'postgres';

/** How far the connected user reaches beyond the application's grants. */
export interface ConnectedRole {
  readonly user: string;
  readonly superuser: boolean;
  /** Tables of the schema it owns, itself or through a role it belongs to. */
  readonly ownedTables: number;
}

/**
 * Who DATABASE_URL connects as. A superuser or the tables' owner can disable or drop the
 * append-only triggers, so a role process connected as either is not production-ready.
 */
export async function connectedRole(sql: postgres.Sql): Promise<ConnectedRole> {
  const [row] = await sql<{ user: string; superuser: boolean; owned: number }[]>`
    select current_user as user,
      (select rolsuper from pg_roles where rolname = current_user) as superuser,
      (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
          and pg_has_role(current_user, c.relowner, 'USAGE')) as owned`;
  return { user: row!.user, superuser: row!.superuser, ownedTables: row!.owned };
}

/** The warning a role process logs when it connects as more than the application role. */
export function privilegedRoleWarning(role: ConnectedRole): string | null {
  if (!role.superuser && role.ownedTables === 0) return null;
  const what = role.superuser ? 'a superuser' : `the owner of ${role.ownedTables} tables`;
  return `DATABASE_URL connects as "${role.user}", ${what}: it could disable the append-only triggers of the ledger and audit trail. In production connect as a role that owns nothing and migrate through MIGRATION_DATABASE_URL (docs/database-roles.md)`;
}

import { ROLE_ENV } from './role-env';
import type { EnvSetting } from './role-env-check';

/** Roles that apply migrations at start unless MIGRATE_AT_START=false (deploy/roles/*.ts). */
const MIGRATING_ROLES = new Set(['worker', 'api']);

/**
 * The deploy files migrate in a step of their own (`db:migrate`, as the tables' owner), so no
 * role process holds the owner's credentials (docs/database-roles.md): the step needs
 * MIGRATION_DATABASE_URL, and a worker or API must not get it and must set
 * MIGRATE_AT_START=false — else it would migrate through DATABASE_URL, the application role,
 * and fail at start.
 */
export function checkOwnerCredentials(
  where: string,
  role: string,
  settings: EnvSetting[],
): string[] {
  const byName = new Map(settings.map((s) => [s.name, s]));
  if (role === 'db:migrate')
    return byName.has('MIGRATION_DATABASE_URL')
      ? []
      : [`${where}: db:migrate needs MIGRATION_DATABASE_URL, the tables' owner`];
  if (!MIGRATING_ROLES.has(role)) return [];
  const findings: string[] = [];
  if (byName.has('MIGRATION_DATABASE_URL'))
    findings.push(
      `${where}: MIGRATION_DATABASE_URL gives ${role} the owner's credentials; only the db:migrate step may hold them`,
    );
  const atStart = byName.get('MIGRATE_AT_START');
  const off = (value: string) => ROLE_ENV[role]!.MIGRATE_AT_START!.safeParse(value).data === false;
  if (!atStart || (atStart.value !== undefined && !off(atStart.value)))
    findings.push(
      `${where}: ${role} would migrate at start as DATABASE_URL's role; set MIGRATE_AT_START=false (db:migrate migrates)`,
    );
  return findings;
}

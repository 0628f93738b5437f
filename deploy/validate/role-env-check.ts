import { z } from 'zod';
import { checkOwnerCredentials } from './owner-credentials';
import { ROLE_ENV, RUNTIME_ENV } from './role-env';

/** A variable as a deploy file sets it; `value` undefined when it is not known offline. */
export interface EnvSetting {
  name: string;
  value?: string | undefined;
}

/**
 * A Doppel container (compose service, Kubernetes pod) running `role` with these variables:
 * each must be one the role reads, a value known here must pass the role's own check, and
 * every variable the role requires (no default, not optional) must be set; and the owner's
 * credentials go to the migration step only (checkOwnerCredentials).
 */
export function checkRoleEnv(where: string, role: string, settings: EnvSetting[]): string[] {
  const reads = ROLE_ENV[role];
  if (!reads) return [`${where}: runs ${JSON.stringify(role)}, not one of the image's roles`];
  const findings: string[] = [];
  for (const { name, value } of settings) {
    const schema = reads[name];
    if (!schema) {
      if (!RUNTIME_ENV.has(name))
        findings.push(`${where}: ${name} is not read by ${role} (deploy/config.ts)`);
      continue;
    }
    if (value === undefined) continue;
    const result = schema.safeParse(value);
    if (!result.success)
      findings.push(
        `${where}: ${name}=${JSON.stringify(value)}: ${z.prettifyError(result.error).replace(/^✖ /, '')}`,
      );
  }
  const set = new Set(settings.map((s) => s.name));
  for (const [name, schema] of Object.entries(reads)) {
    if (!set.has(name) && !schema.safeParse(undefined).success)
      findings.push(`${where}: ${name} is required by ${role} and not set`);
  }
  return [...findings, ...checkOwnerCredentials(where, role, settings)];
}

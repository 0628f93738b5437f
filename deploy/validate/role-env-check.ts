import { ROLE_ENV, RUNTIME_ENV } from './role-env';

/** A Doppel container (compose service, Kubernetes pod) running `role` with these variables. */
export function checkRoleEnv(where: string, role: string, names: string[]): string[] {
  const reads = ROLE_ENV[role];
  if (!reads) return [`${where}: runs ${JSON.stringify(role)}, not one of the image's roles`];
  return names
    .filter((n) => !reads.has(n) && !RUNTIME_ENV.has(n))
    .map((n) => `${where}: ${n} is not read by ${role} (deploy/config.ts)`);
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { checkRoleEnv, type EnvSetting } from './role-env-check';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, unknown> | string[];
  depends_on?: Record<string, unknown> | string[];
  ports?: Array<string | { published?: string | number }>;
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
}

const keysOf = (v: Record<string, unknown> | string[] | undefined) =>
  Array.isArray(v) ? v.map((e) => e.split('=')[0] ?? e) : Object.keys(v ?? {});

/**
 * A service's variables with the values known without the operator's .env: literals, and
 * `${NAME:-default}` as its default; anything else interpolated stays unknown.
 */
function settingsOf(environment: Service['environment']): EnvSetting[] {
  const entries = Array.isArray(environment)
    ? environment.map(
        (e) =>
          [
            e.split('=')[0] ?? e,
            e.includes('=') ? e.slice(e.indexOf('=') + 1) : undefined,
          ] as const,
      )
    : Object.entries(environment ?? {});
  return entries.map(([name, raw]) => {
    if (raw === null || raw === undefined) return { name };
    const value = String(raw);
    if (!value.includes('$')) return { name, value };
    const fallback = /^\$\{\w+:?-([^}]*)\}$/.exec(value);
    return fallback ? { name, value: fallback[1] } : { name };
  });
}

/**
 * The nginx image fills in a mounted template's `${NAME}` from the container's environment
 * and leaves the ones it lacks as they are, which nginx then refuses at start.
 */
function templatePlaceholders(
  service: string,
  source: string,
  file: string,
  environment: Service['environment'],
): string[] {
  const set = new Set(keysOf(environment));
  const needed = new Set(
    [...readFileSync(file, 'utf8').matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]),
  );
  return [...needed]
    .filter((n) => n && !set.has(n))
    .map((n) => `service ${service}: ${source} needs \${${n}}, not in its environment`);
}

/**
 * What is wrong with a compose file (nothing: an empty list): the Compose specification's
 * schema, then what the schema cannot see — Doppel services setting variables their role never
 * reads, depends_on naming no service, two services publishing one host port, files of the
 * repository mounted that do not exist, and nginx template placeholders left unset.
 */
export function checkCompose(text: string, composeDir: string, specSchema: object): string[] {
  const doc = parse(text, { merge: true }) as { services?: Record<string, Service> };
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(specSchema);
  if (!validate(doc)) {
    return (validate.errors ?? []).map(
      (e) => `schema: ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    );
  }
  const findings: string[] = [];
  const services = doc.services ?? {};
  const published = new Map<string, string>();
  for (const [name, service] of Object.entries(services)) {
    if (service.build !== undefined) {
      const command = Array.isArray(service.command) ? service.command : [];
      findings.push(
        ...checkRoleEnv(`service ${name}`, command.at(-1) ?? '', settingsOf(service.environment)),
      );
    }
    for (const target of keysOf(service.depends_on)) {
      if (!services[target])
        findings.push(`service ${name}: depends_on ${target}, no such service`);
    }
    for (const port of service.ports ?? []) {
      const host =
        typeof port === 'string'
          ? port.split(':').at(-2)
          : port.published === undefined
            ? undefined
            : String(port.published);
      if (!host) continue;
      const other = published.get(host);
      if (other) findings.push(`services ${other} and ${name} both publish host port ${host}`);
      else published.set(host, name);
    }
    for (const volume of service.volumes ?? []) {
      const [source, target] =
        typeof volume === 'string' ? volume.split(':') : [volume.source, volume.target];
      if (!source?.startsWith('../')) continue;
      const file = path.resolve(composeDir, source);
      if (!existsSync(file))
        findings.push(`service ${name}: mounts ${source}, which does not exist`);
      else if (target?.startsWith('/etc/nginx/templates/'))
        findings.push(...templatePlaceholders(name, source, file, service.environment));
    }
  }
  return findings;
}

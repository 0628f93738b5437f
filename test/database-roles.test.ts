import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { APP_TABLE_PRIVILEGES } from '../db/app-grants';
import { migrateDatabase } from '../db/migrate';
import { connectedRole, privilegedRoleWarning } from '../db/role-privileges';
import { ensureAppRole } from '../db/app-role';
import { PROJECT_ROOT } from '../deploy/embedded/paths';
import { startApiProcess } from './support/api-process';
import { startWorkerProcess } from './support/worker-process';
import { eventually, graphqlOk } from './support/graphql';
import {
  helloDevice,
  registerDevice,
  startStack,
  uniqueTenant,
  type TestStack,
} from './support/stack';

// Production database roles: migrations as the tables' owner (the suite's cluster superuser),
// every role process as an application role that owns nothing and has only its grants, so the
// append-only triggers bind it. The stack below runs as that role, so a missing grant fails.

const run = promisify(execFile);
const ownerUrl = inject('ownerDatabaseUrl');
const temporalAddress = inject('temporalAddress');
const owner = postgres(ownerUrl, { max: 2, onnotice: () => {} });
const dir = mkdtempSync(path.join(os.tmpdir(), 'doppel-db-roles-'));
const suffix = Math.random().toString(36).slice(2, 8);
const roles: string[] = [];
/** A new role that owns nothing, created as the embedded profile creates doppel_app. */
async function newAppRole(name: string): Promise<string> {
  const role = `${name}_${suffix}`;
  roles.push(role);
  return ensureAppRole(ownerUrl, path.join(dir, `${role}.password`), role);
}

const APPEND_ONLY = [
  'audit_entries',
  'ledger_checkpoints',
  'ledger_entries',
  'ledger_keys',
  'session_records',
];
const tenantId = uniqueTenant('roles');
let appRole: string;
let app: postgres.Sql;
let stack: TestStack;

beforeAll(async () => {
  const appUrl = await newAppRole('doppel_app');
  appRole = new URL(appUrl).username;
  await migrateDatabase(ownerUrl, { appRole });
  app = postgres(appUrl, { max: 2, onnotice: () => {} });
  stack = await startStack({ temporalAddress, databaseUrl: appUrl });
});
afterAll(async () => {
  await stack?.stop();
  await app?.end({ timeout: 5 });
  for (const role of roles) {
    await owner.unsafe(`drop owned by "${role}"`).catch(() => {});
    await owner.unsafe(`drop role if exists "${role}"`);
  }
  await owner.end({ timeout: 5 });
  rmSync(dir, { recursive: true, force: true });
});

const KINDS = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];
const LISTED = Object.fromEntries(
  Object.entries(APP_TABLE_PRIVILEGES).map(([t, p]) => [
    t,
    KINDS.filter((k) => p.includes(k as never)),
  ]),
);

/** What `role` may do to each table of the schema, as PostgreSQL answers it. */
/** The schema's tables; a partition (device_log_lines' days) is reached through its parent only. */
const TABLES = () => owner`
  select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition`;

async function privilegesOf(role: string): Promise<Record<string, string[]>> {
  const held = await owner<{ name: string; kind: string }[]>`
    select t.name, k.kind from (${TABLES()}) t, unnest(${KINDS}::text[]) as k(kind)
    where has_table_privilege(${role}, 'public.' || quote_ident(t.name), k.kind)`;
  const tables = await owner<{ name: string }[]>`${TABLES()}`;
  const actual = Object.fromEntries(tables.map((t) => [t.name, [] as string[]]));
  for (const h of held) actual[h.name]!.push(h.kind);
  return actual;
}

/** An API process with this DATABASE_URL starts, reads the database and does not warn. */
async function apiReadsAs(databaseUrl: string, env: Record<string, string>) {
  const api = await startApiProcess({ temporalAddress, databaseUrl }, { env });
  try {
    const seen = await graphqlOk(
      api.apiUrl,
      'query ($t: ID!) { device(tenantId: $t, deviceId: "none") { reported } }',
      { t: tenantId },
    );
    expect(seen.device).toBeNull();
    expect(api.output()).not.toContain('db:role.privileged');
  } finally {
    await api.stop();
  }
}

const ok = (query: string, variables: Record<string, unknown> = {}) =>
  graphqlOk(stack.apiUrl, query, variables);

describe('the application role', () => {
  it('does its normal work: registers, hears a device, and keeps a signed ledger', async () => {
    const token = await registerDevice(stack, tenantId, 'r-1');
    await ok('mutation ($i: SetDeviceTagsInput!) { setDeviceTags(input: $i) { version } }', {
      i: { tenantId, deviceId: 'r-1', tags: ['least-privilege'] },
    });
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'r-1', token });
    device.send({ type: 'report', seq: 2, state: { temperature: 19.5 } });
    expect(await device.next((m) => m.seq === 2)).toEqual({ type: 'ack', seq: 2 });
    device.close();
    const seen = await eventually(async () => {
      const d = await ok(
        `query ($t: ID!) {
          device(tenantId: $t, deviceId: "r-1") { reported tags }
          ledgerEntries(tenantId: $t) { seq }
          ledgerCheckpoints(tenantId: $t) { seq }
        }`,
        { t: tenantId },
      );
      const last = d.ledgerEntries.at(-1)?.seq;
      return d.device?.reported?.temperature === 19.5 &&
        last >= 3 &&
        d.ledgerCheckpoints.at(-1)?.seq === last
        ? d
        : undefined;
    }, 30_000);
    expect(seen.device.tags).toEqual(['least-privilege']);
    expect(privilegedRoleWarning(await connectedRole(app))).toBeNull();
  });

  it.each(APPEND_ONLY)('may not disable, drop or rewrite %s', async (table) => {
    await expect(app.unsafe(`alter table ${table} disable trigger all`)).rejects.toThrow(
      /must be owner/,
    );
    await expect(app.unsafe(`drop trigger ${table}_append_only on ${table}`)).rejects.toThrow(
      /must be owner/,
    );
    await expect(app.unsafe(`drop table ${table}`)).rejects.toThrow(/must be owner/);
    const [first] = await owner<{ name: string }[]>`
      select column_name as name from information_schema.columns
      where table_schema = 'public' and table_name = ${table} and is_identity = 'NO'
      order by ordinal_position limit 1`;
    for (const statement of [
      `delete from ${table}`,
      `update ${table} set ${first!.name} = ${first!.name}`,
      `truncate ${table}`,
    ])
      await expect(app.unsafe(statement), statement).rejects.toThrow(/permission denied/);
  });

  it('may not create, alter or drop anything in the schema', async () => {
    await expect(app.unsafe('create table mine (id int)')).rejects.toThrow(/permission denied/);
    await expect(app.unsafe('alter table device_twins add column mine int')).rejects.toThrow(
      /must be owner/,
    );
    await expect(
      app.unsafe('create function mine() returns int language sql as $$ select 1 $$'),
    ).rejects.toThrow(/permission denied/);
    await expect(app.unsafe('set session_replication_role = replica')).rejects.toThrow(
      /permission denied/,
    );
  });

  it('has exactly the listed privileges on every table, and the append-only ones SELECT and INSERT only', async () => {
    const tables = await owner<{ name: string }[]>`${TABLES()} order by 1`;
    expect(tables.map((t) => t.name)).toEqual(Object.keys(APP_TABLE_PRIVILEGES).sort());
    const actual = await privilegesOf(appRole);
    expect(actual).toEqual(LISTED);
    // Whatever the list says, a table guarded by the append-only trigger grants no rewrite.
    const guarded = await owner<{ name: string }[]>`
      select distinct c.relname as name from pg_trigger g join pg_class c on c.oid = g.tgrelid
      join pg_proc p on p.oid = g.tgfoid where p.proname = 'doppel_append_only'`;
    expect(guarded.map((g) => g.name).sort()).toEqual(APPEND_ONLY);
    for (const { name } of guarded) expect(actual[name]).toEqual(['SELECT', 'INSERT']);
  });
});

describe('the migration', () => {
  const refusal = (role: string) =>
    migrateDatabase(ownerUrl, { appRole: role }).then(
      () => 'granted',
      (error: { code: string }) => error.code,
    );

  it('refuses to grant a role that could act as the owner, or none at all', async () => {
    const ownerRole = new URL(ownerUrl).username;
    expect(await refusal(ownerRole)).toBe('db:app-role.privileged');
    const member = new URL(await newAppRole('doppel_member')).username;
    await owner.unsafe(`grant "${ownerRole}" to "${member}"`);
    expect(await refusal(member)).toBe('db:app-role.privileged');
    expect(await refusal(`nobody_${suffix}`)).toBe('db:app-role.missing');
  });

  it('stops at a table the list does not name, instead of granting it by default', async () => {
    const table = `unlisted_${suffix}`;
    await owner.unsafe(`create table "${table}" (id int)`);
    try {
      expect(await refusal(appRole)).toBe('db:app-role.table-without-grant');
    } finally {
      await owner.unsafe(`drop table "${table}"`);
    }
    expect(await refusal(appRole)).toBe('granted');
  });
});

describe('npm run db:migrate', () => {
  const migrate = (env: Record<string, string>) =>
    run(process.execPath, ['--import', 'tsx', 'db/migrate-cli.ts'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });

  it('grants DATABASE_APP_ROLE as the owner of MIGRATION_DATABASE_URL', async () => {
    const role = new URL(await newAppRole('doppel_cli')).username;
    const { stdout } = await migrate({ MIGRATION_DATABASE_URL: ownerUrl, DATABASE_APP_ROLE: role });
    expect(stdout).toContain(`migrations applied; ${role} granted`);
    expect(await privilegesOf(role)).toEqual(LISTED);
  });

  it('stops with a code and a fix when the role does not exist', async () => {
    const failed = await migrate({
      MIGRATION_DATABASE_URL: ownerUrl,
      DATABASE_APP_ROLE: `nobody_${suffix}`,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain('db:app-role.missing');
    expect((failed as { stderr: string }).stderr).toContain('CREATE ROLE');
  });
});

describe('docs/database-roles.md, followed as written', () => {
  it('sets up an owner and an application role that migrate, get their grants and warn as described', async () => {
    const tag = `${suffix}_docs`;
    const docs = readFileSync(path.join(PROJECT_ROOT, 'docs/database-roles.md'), 'utf8');
    const setup = docs.split('## Set it up')[1]!.match(/```sql\n([\s\S]*?)```/)![1]!;
    // Names of their own: roles belong to the whole cluster the suite shares.
    const named = setup.replace(/\bdoppel(_owner|_app)?\b/g, (name) => `${name}_${tag}`);
    const statements = named
      .split(';')
      .map((q) => q.trim())
      .filter(Boolean);
    expect(statements).toHaveLength(3);
    const database = `doppel_${tag}`;
    try {
      for (const statement of statements) await owner.unsafe(statement);
      const at = (user: string, password: string) => {
        const url = new URL(ownerUrl);
        url.username = `${user}_${tag}`;
        url.password = password;
        url.pathname = `/${database}`;
        return url.toString();
      };
      const ownerOnly = at('doppel_owner', 'owner-password');
      const appUrl = at('doppel_app', 'app-password');
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'db/migrate-cli.ts'], {
        cwd: PROJECT_ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          MIGRATION_DATABASE_URL: ownerOnly,
          DATABASE_URL: appUrl,
        },
      });
      expect(stdout).toContain(`doppel_app_${tag} granted`);
      for (const [url, warning] of [
        [appUrl, null],
        [ownerOnly, `the owner of ${Object.keys(APP_TABLE_PRIVILEGES).length} tables`],
      ] as const) {
        const sql = postgres(url, { max: 1, onnotice: () => {} });
        try {
          const said = privilegedRoleWarning(await connectedRole(sql));
          if (warning) expect(said).toContain(warning);
          else expect(said).toBeNull();
        } finally {
          await sql.end({ timeout: 5 });
        }
      }
    } finally {
      await owner.unsafe(`drop database if exists "${database}" with (force)`);
      for (const role of [`doppel_owner_${tag}`, `doppel_app_${tag}`])
        await owner.unsafe(`drop role if exists "${role}"`);
    }
  });
});

describe('role processes', () => {
  it('migrate through MIGRATION_DATABASE_URL, grant the role of DATABASE_URL and run as it', async () => {
    const url = await newAppRole('doppel_api');
    const api = await startApiProcess(
      { temporalAddress, databaseUrl: url },
      { env: { MIGRATION_DATABASE_URL: ownerUrl } },
    );
    try {
      await graphqlOk(
        api.apiUrl,
        'mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }',
        { i: { tenantId, deviceId: 'r-api' } },
      );
      expect(api.output()).not.toContain('db:role.privileged');
    } finally {
      await api.stop();
    }
    const [row] = await owner<{ n: number }[]>`
      select count(*)::int as n from ledger_entries where tenant_id = ${tenantId}`;
    expect(row!.n).toBeGreaterThan(0);
  });

  it('warn when DATABASE_URL connects as a superuser or an owner', async () => {
    const api = await startApiProcess({ temporalAddress, databaseUrl: ownerUrl });
    try {
      const warning = api
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { code?: string; msg: string; level: number })
        .find((l) => l.code === 'db:role.privileged');
      expect(warning?.level).toBe(40);
      expect(warning?.msg).toContain('a superuser');
      expect(warning?.msg).toContain('MIGRATION_DATABASE_URL');
    } finally {
      await api.stop();
    }
  });

  describe('with MIGRATE_AT_START=false (a migration step of their own runs first)', () => {
    const database = `doppel_no_migrate_${suffix}`;
    const urlOf = (roleUrl: string) => {
      const url = new URL(roleUrl);
      url.pathname = `/${database}`;
      return url.toString();
    };
    const noMigrate = { env: { MIGRATE_AT_START: 'false' } };
    let appUrl: string;
    beforeAll(async () => {
      await owner.unsafe(`create database "${database}"`);
      appUrl = urlOf(await newAppRole('doppel_nomig'));
    });
    afterAll(async () => {
      await owner.unsafe(`drop database if exists "${database}" with (force)`);
    });

    it('refuse an unmigrated database with db:schema.behind, and migrate nothing', async () => {
      const refusals = await Promise.all([
        startApiProcess({ temporalAddress, databaseUrl: appUrl }, noMigrate).then(
          (api) => api.stop().then(() => 'started'),
          (error: Error) => error.message,
        ),
        startWorkerProcess({ temporalAddress, databaseUrl: appUrl }, `nomig-${suffix}`, {
          env: noMigrate.env,
        }).then(
          (worker) => worker.crash().then(() => 'started'),
          (error: Error) => error.message,
        ),
      ]);
      for (const refusal of refusals) {
        expect(refusal).toMatch(/exited with 1/);
        expect(refusal).toContain('[db:schema.behind]');
        expect(refusal).toContain('MIGRATE_AT_START=false');
        expect(refusal).toContain('fix: run the migration step first');
      }
      const db = postgres(urlOf(ownerUrl), { max: 1, onnotice: () => {} });
      try {
        const [tables] = await db<{ n: number }[]>`
          select count(*)::int as n from pg_tables where schemaname in ('public', 'drizzle')`;
        expect(tables!.n).toBe(0);
      } finally {
        await db.end({ timeout: 5 });
      }
    });

    it('start on a migrated one as the application role, without the owner URL', async () => {
      await migrateDatabase(urlOf(ownerUrl), { appRole: new URL(appUrl).username });
      await apiReadsAs(appUrl, noMigrate.env);
      const worker = await startWorkerProcess(
        { temporalAddress, databaseUrl: appUrl },
        `nomig-${suffix}`,
        { env: noMigrate.env },
      );
      await worker.crash();
    });
  });
});

describe('deploy/compose: the postgres init script, then the services as compose.yaml sets them', () => {
  it('makes an owner and an application role; migrate grants it, and the API runs as it without migrating', async () => {
    const tag = `${suffix}_compose`;
    const rename = (text: string) =>
      text.replace(/\bdoppel_(owner|app)\b/g, (name) => `${name}_${tag}`);
    const database = `doppel_${tag}`;
    const server = new URL(ownerUrl);
    const env: Record<string, string> = {
      DOPPEL_OWNER_PASSWORD: "owner'pw",
      DOPPEL_APP_PASSWORD: 'app-pw',
    };
    // compose.yaml's ${NAME:?…} and ${NAME:-default}, from .env (env above).
    const interpolate = (value: string) =>
      rename(value)
        .replace(/\$\{(\w+)(?::[-?][^}]*)?\}/g, (_, name: string) => env[name] ?? '')
        .replace('@postgres:5432/doppel', `@${server.host}/${database}`);
    const compose = parse(
      readFileSync(path.join(PROJECT_ROOT, 'deploy/compose/compose.yaml'), 'utf8'),
      { merge: true },
    ) as { services: Record<string, { environment: Record<string, string> }> };
    const environment = (service: string) =>
      Object.fromEntries(
        Object.entries(compose.services[service]!.environment).map(([k, v]) => [k, interpolate(v)]),
      );
    const script = path.join(dir, 'doppel-roles.sh');
    writeFileSync(
      script,
      rename(
        readFileSync(
          path.join(PROJECT_ROOT, 'deploy/compose/postgres-init/10-doppel-roles.sh'),
          'utf8',
        ),
      ),
    );
    await owner.unsafe(`create database "${database}"`);
    try {
      const initEnv = {
        PATH: process.env.PATH ?? '',
        PGHOST: server.hostname,
        PGPORT: server.port,
        PGPASSWORD: decodeURIComponent(server.password),
        POSTGRES_USER: decodeURIComponent(server.username),
        POSTGRES_DB: database,
        ...env,
      };
      await run('sh', [script], { env: initEnv });
      await run('sh', [script], { env: initEnv }); // again: nothing to do, no error
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'db/migrate-cli.ts'], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH ?? '', ...environment('migrate') },
      });
      expect(stdout).toContain(`doppel_app_${tag} granted`);
      const { DATABASE_URL, MIGRATE_AT_START } = environment('api');
      expect(MIGRATE_AT_START).toBe('false');
      await apiReadsAs(DATABASE_URL!, { MIGRATE_AT_START: MIGRATE_AT_START! });
    } finally {
      await owner.unsafe(`drop database if exists "${database}" with (force)`);
      for (const role of [`doppel_owner_${tag}`, `doppel_app_${tag}`])
        await owner.unsafe(`drop role if exists "${role}"`);
    }
  });
});

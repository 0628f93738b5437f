import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { interrupt, listening, profilePorts, startProfile } from './support/profile-start';
import { eventually, graphql } from './support/graphql';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'doppel-start-'));
chmodSync(dataDir, 0o755);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** `npm start`, as a newcomer runs it, with its state in a temporary folder and free ports. */
const npmStart = (env: Record<string, string>) =>
  startProfile('deploy/embedded/start.ts', dataDir, env);

describe('npm start', () => {
  it('runs the whole stack, prints its URLs, stops cleanly on Ctrl-C and reuses its data', async () => {
    const { ports, env } = await profilePorts();
    const apiUrl = `http://127.0.0.1:${ports.API_PORT}/graphql`;

    const first = await npmStart(env);
    expect(first.output()).toContain(`ws://localhost:${ports.GATEWAY_PORT}/device`);
    expect(first.output()).toContain(apiUrl);
    expect(first.output()).toContain(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`);
    expect((await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/`)).status).toBe(200);
    const graphiql = await fetch(apiUrl, { headers: { accept: 'text/html' } });
    expect(await graphiql.text()).toContain('GraphiQL');
    // No identity provider configured: the runtime signed an admin token into its data folder.
    expect(first.output()).toContain('Admin token');
    // Tenants' URLs reach public addresses only unless allowed, and the table says so.
    expect(first.output()).toMatch(/Tenants' URLs +public addresses only/);
    expect(first.output()).toMatch(/Gateway metrics +http:\/\/127\.0\.0\.1:\d+\/metrics/);
    // Every role's metrics on its listener; the worker's carry Temporal Core's.
    const apiMetrics = await fetch(`http://127.0.0.1:${ports.API_METRICS_PORT}/metrics`);
    expect(await apiMetrics.text()).toContain('# HELP doppel_api_operations_total');
    expect(first.output()).toContain(`http://127.0.0.1:${ports.WORKER_METRICS_PORT}/metrics`);
    await eventually(async () => {
      const page = await fetch(`http://127.0.0.1:${ports.WORKER_METRICS_PORT}/metrics`);
      const text = await page.text();
      return text.includes('doppel_worker_twin_notices_waiting') &&
        text.includes('temporal_num_pollers')
        ? true
        : undefined;
    });
    const admin = () => ({
      authorization: `Bearer ${readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim()}`,
    });
    const anonymous = await graphql(apiUrl, '{ me { actor } }', {}, {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('api:unauthenticated');

    const registered = await graphql(
      apiUrl,
      `
        mutation {
          registerDevice(input: { tenantId: "demo", deviceId: "kept" }) {
            workflowId
          }
        }
      `,
      {},
      admin(),
    );
    expect(registered.errors).toBeUndefined();
    // The roles work as doppel_app, which owns nothing; only the migrations ran as the owner.
    const password = readFileSync(path.join(dataDir, 'postgres.password'), 'utf8').trim();
    const owner = postgres(
      `postgres://doppel:${encodeURIComponent(password)}@127.0.0.1:${ports.POSTGRES_PORT}/doppel`,
      { max: 1, onnotice: () => {} },
    );
    try {
      const sessions = await owner<{ user: string; superuser: boolean; owns: number }[]>`
        select distinct a.usename as user, r.rolsuper as superuser,
          (select count(*)::int from pg_tables t where t.tableowner = a.usename) as owns
        from pg_stat_activity a join pg_roles r on r.rolname = a.usename
        where a.datname = 'doppel' and a.pid <> pg_backend_pid()`;
      expect(sessions).toEqual([{ user: 'doppel_app', superuser: false, owns: 0 }]);
    } finally {
      await owner.end({ timeout: 5 });
    }
    // The CLI finds this stack (its API is not on the default port) with no --api.
    const whoami = await runCli(null, ['whoami'], () => {}, {
      DOPPEL_DATA_DIR: dataDir,
      DOPPEL_API_URL: '',
      DOPPEL_TOKEN: admin().authorization.slice('Bearer '.length),
      DOPPEL_CONFIG_DIR: dataDir,
    });
    expect(whoami.stderr).toBe('');
    expect(whoami.stdout.trim()).toBe('user:admin · platform-admin in every tenant');

    expect(await interrupt(first.child)).toBe(0);
    for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);
    // Stopped once, in order: no worker was found draining already, nothing failed to stop.
    expect(first.output()).not.toContain('IllegalStateError');
    expect(first.output()).not.toContain('error while stopping');

    const second = await npmStart(env);
    try {
      expect(second.output()).toContain('Press Ctrl-C to stop.');
      const kept = await eventually(async () => {
        const res = await graphql(
          apiUrl,
          `
            {
              device(tenantId: "demo", deviceId: "kept") {
                lifecycle {
                  state
                  actor
                }
              }
            }
          `,
          {},
          admin(),
        );
        return res.data?.device ?? undefined;
      });
      expect(kept).toEqual({ lifecycle: { state: 'PROVISIONED', actor: 'user:admin' } });
      const connection = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_PORT}` });
      const described = await new Client({ connection }).workflow
        .getHandle('device:demo:kept')
        .describe();
      expect(described.status.name).toBe('RUNNING');
      await connection.close();
    } finally {
      expect(await interrupt(second.child)).toBe(0);
    }
  }, 300_000);
});

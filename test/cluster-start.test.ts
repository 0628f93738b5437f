import { execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveTemporalCli } from '../deploy/embedded/temporal-cli';
import { eventually, graphql } from './support/graphql';
import { interrupt, listening, profilePorts, startProfile } from './support/profile-start';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'doppel-cluster-'));
chmodSync(dataDir, 0o755);
const launched: ChildProcess[] = [];
afterAll(async () => {
  // A failed assertion leaves its profile running: Ctrl-C stops all of it.
  for (const child of launched) await interrupt(child);
  rmSync(dataDir, { recursive: true, force: true });
});

/** `npm run start:cluster` as a newcomer runs it, with its state in a temporary folder. */
async function startCluster(env: Record<string, string>) {
  const started = await startProfile('deploy/cluster/start.ts', dataDir, env, 300_000);
  launched.push(started.child);
  return started;
}

interface Running {
  pid: number;
  command: string;
}

/** A process's command line and state, or null once it is gone (a zombie counts as gone). */
function processOf(pid: number): { parent: number; command: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z') return null;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { parent: Number(parent), command };
  } catch {
    return null;
  }
}

/** Every process below `pid` now (children detach into groups of their own, but keep their parent). */
function descendants(pid: number): Running[] {
  const all = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => ({ pid: Number(entry), info: processOf(Number(entry)) }));
  const found: Running[] = [];
  const queue = [pid];
  while (queue.length) {
    const current = queue.shift()!;
    for (const { pid: child, info } of all) {
      if (info?.parent === current) {
        found.push({ pid: child, command: info.command });
        queue.push(child);
      }
    }
  }
  return found;
}

/** Those of `processes` still running (the same pid with the same command line). */
const stillRunning = (processes: Running[]) =>
  processes.filter((p) => processOf(p.pid)?.command === p.command).map((p) => p.command);

describe('npm run start:cluster', () => {
  it('runs the Temporal server on PostgreSQL and every role as a process, stops them all on Ctrl-C, restarts on its data and keeps its shard count', async () => {
    const { ports, env: portsEnv } = await profilePorts();
    const env = { ...portsEnv, TEMPORAL_HISTORY_SHARDS: '8' };
    const apiUrl = `http://127.0.0.1:${ports.API_PORT}/graphql`;
    const temporalAddress = `127.0.0.1:${ports.TEMPORAL_PORT}`;

    const cluster = await startCluster(env);
    expect(cluster.output()).toContain('Press Ctrl-C to stop.');
    expect(cluster.output()).toContain(`ws://localhost:${ports.GATEWAY_PORT}/device`);
    expect(cluster.output()).toContain(apiUrl);
    expect(cluster.output()).toMatch(
      /Temporal +127\.0\.0\.1:\d+ +\(Temporal server, 8 history shards/,
    );
    expect((await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/`)).status).toBe(200);
    const processes = descendants(cluster.child.pid!);

    const admin = {
      authorization: `Bearer ${readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim()}`,
    };
    const registered = await graphql(
      apiUrl,
      'mutation { registerDevice(input: { tenantId: "demo", deviceId: "on-cluster" }) { workflowId } }',
      {},
      admin,
    );
    expect(registered.errors).toBeUndefined();
    const device = await eventually(async () => {
      const res = await graphql(
        apiUrl,
        '{ device(tenantId: "demo", deviceId: "on-cluster") { lifecycle { state } } }',
        {},
        admin,
      );
      return res.data?.device ?? undefined;
    });
    expect(device).toEqual({ lifecycle: { state: 'PROVISIONED' } });

    // The cluster is the real server with PostgreSQL persistence, as its operators see it.
    const cli = await resolveTemporalCli(() => {});
    const { stdout } = await promisify(execFile)(cli, [
      'operator',
      'cluster',
      'describe',
      '--address',
      temporalAddress,
      '-o',
      'json',
    ]);
    const described = JSON.parse(stdout) as Record<string, unknown>;
    expect(described).toMatchObject({ persistenceStore: 'postgres12', historyShardCount: 8 });
    expect(String(described.visibilityStore)).toContain('postgres12');
    // The twin's workflow runs there, and SQL visibility finds it by its search attributes.
    const connection = await Connection.connect({ address: temporalAddress });
    try {
      const client = new Client({ connection });
      const workflow = await client.workflow.getHandle('device:demo:on-cluster').describe();
      expect(workflow.status.name).toBe('RUNNING');
      const listed = await eventually(async () => {
        const ids: string[] = [];
        for await (const wf of client.workflow.list({ query: "TenantId = 'demo'" }))
          ids.push(wf.workflowId);
        return ids.includes('device:demo:on-cluster') ? ids : undefined;
      });
      expect(listed).toContain('device:demo:on-cluster');
    } finally {
      await connection.close();
    }

    expect(await interrupt(cluster.child)).toBe(0);
    // A grandchild (tsx's esbuild service, a PostgreSQL backend) may take a moment to follow its parent.
    await eventually(async () => (stillRunning(processes).length ? undefined : true), 15_000).catch(
      () => {},
    );
    expect(stillRunning(processes)).toEqual([]);
    for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);
    expect(cluster.output()).not.toContain('error while stopping');
    expect(cluster.output()).not.toContain('exited unexpectedly');

    // The next start finds its cluster as it was (the shard count too, with none given), and
    // serves at once: twins kept, new ones started.
    const second = await startCluster(
      Object.fromEntries(
        Object.entries(env).filter(([name]) => name !== 'TEMPORAL_HISTORY_SHARDS'),
      ),
    );
    let stopped: number | null = null;
    try {
      expect(second.output()).toContain('Press Ctrl-C to stop.');
      expect(second.output()).toMatch(/Temporal server, 8 history shards/);
      const again = await graphql(
        apiUrl,
        `
          {
            device(tenantId: "demo", deviceId: "on-cluster") {
              lifecycle {
                state
              }
            }
          }
        `,
        {},
        admin,
      );
      expect(again.data?.device).toEqual({ lifecycle: { state: 'PROVISIONED' } });
      const another = await graphql(
        apiUrl,
        'mutation { registerDevice(input: { tenantId: "demo", deviceId: "after-restart" }) { workflowId } }',
        {},
        admin,
      );
      expect(another.errors).toBeUndefined();
      expect(second.output()).not.toContain('exited unexpectedly');
    } finally {
      stopped = await interrupt(second.child);
    }
    expect(stopped).toBe(0);

    // The shard count is fixed at creation: another one is refused, with what to do instead.
    const refused = await startCluster({ ...env, TEMPORAL_HISTORY_SHARDS: '16' });
    const [code] =
      refused.child.exitCode === null
        ? await once(refused.child, 'exit')
        : [refused.child.exitCode];
    expect(code).toBe(1);
    expect(refused.output()).toContain('deploy:cluster.history-shards-fixed');
    expect(refused.output()).toContain('created with 8 history shards');
    expect(refused.output()).not.toContain('Press Ctrl-C to stop.');
    for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);
  }, 600_000);
});

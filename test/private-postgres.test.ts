import { mkdtempSync, realpathSync, rmSync, statSync, watch } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../deploy/embedded/child-process';
import { startPrivatePostgres } from '../deploy/embedded/postgres';

// mkdtemp makes a folder only its owner may enter (mode 700), like a fresh clone under mktemp.
const project = mkdtempSync(path.join(os.tmpdir(), 'doppel-private-'));
const dataDir = path.join(project, '.data', 'postgres');
afterAll(() => {
  try {
    rmSync(realpathSync(dataDir), { recursive: true, force: true });
  } catch {
    // never created
  }
  rmSync(project, { recursive: true, force: true });
});

async function withCluster<T>(port: number, use: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const pg = await startPrivatePostgres({
    dataDir,
    port,
    database: 'doppel',
    logFile: path.join(project, 'pg.log'),
    ephemeral: true,
  });
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    return await use(sql);
  } finally {
    await sql.end();
    await pg.stop();
  }
}

describe('the private PostgreSQL cluster', () => {
  it('starts inside a private project folder, even as root, and keeps its data across restarts', async () => {
    const port = await freePort();
    await withCluster(port, async (sql) => {
      await sql`create table kept (note text)`;
      await sql`insert into kept values ('written by the first start')`;
    });
    const rows = await withCluster(port, (sql) => sql`select note from kept`);
    expect(rows.map((r) => r.note)).toEqual(['written by the first start']);
  });
});

describe("the cluster's first password", () => {
  it('never lies in the shared temp folder where other users could read it', async () => {
    const seen: Array<{ name: string; mode: number; dir: boolean }> = [];
    const watcher = watch(os.tmpdir(), (_event, name) => {
      if (!name?.startsWith('doppel-pw-')) return;
      try {
        const stat = statSync(path.join(os.tmpdir(), name));
        seen.push({ name, mode: stat.mode & 0o777, dir: stat.isDirectory() });
      } catch {
        // already removed
      }
    });
    const fresh = mkdtempSync(path.join(os.tmpdir(), 'doppel-pwtest-'));
    try {
      const pg = await startPrivatePostgres({
        dataDir: path.join(fresh, 'postgres'),
        port: await freePort(),
        database: 'doppel',
        logFile: path.join(fresh, 'pg.log'),
        ephemeral: true,
      });
      await pg.stop();
    } finally {
      watcher.close();
      rmSync(fresh, { recursive: true, force: true });
    }
    expect(seen.length).toBeGreaterThan(0);
    // A folder only its owner may enter; never a file others may read.
    for (const entry of seen) {
      expect(entry.dir, entry.name).toBe(true);
      expect(entry.mode & 0o077, entry.name).toBe(0);
    }
  });
});

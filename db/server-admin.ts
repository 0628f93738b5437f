import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';

/** A PostgreSQL server we administer (our private cluster, or Temporal's databases on it). */
export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
}

const connect = (server: PostgresServer | string, database?: string) =>
  typeof server === 'string'
    ? postgres(server, { max: 1, onnotice: () => {} })
    : postgres({ ...server, database, max: 1, onnotice: () => {} });

/**
 * Creates `database` on the server of `serverUrl` (postgres://…:port, no database) unless it
 * exists; waits while a server that was just started still recovers.
 */
export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  const sql = connect(`${serverUrl}/postgres`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const rows = await sql`select 1 from pg_database where datname = ${database}`;
        if (rows.length === 0) await sql.unsafe(`create database "${database}"`);
        return;
      } catch (error) {
        // "the database system is starting up" while recovery runs
        if (attempt > 100 || (error as { code?: string }).code !== '57P03') throw error;
        await sleep(100);
      }
    }
  } finally {
    await sql.end();
  }
}

/** Whether a Temporal database exists, and whether its schema is versioned yet. */
export async function temporalDatabaseState(
  server: PostgresServer,
  database: string,
): Promise<'absent' | 'empty' | 'versioned'> {
  const sql = connect(server, 'postgres');
  try {
    const found = await sql`select 1 from pg_database where datname = ${database}`;
    if (found.length === 0) return 'absent';
  } finally {
    await sql.end();
  }
  const db = connect(server, database);
  try {
    const [row] = await db`select to_regclass('schema_version') is not null as versioned`;
    return row?.versioned ? 'versioned' : 'empty';
  } finally {
    await db.end();
  }
}

/**
 * The active cluster's metadata blob in a Temporal database (cluster_metadata_info, encoded as
 * `encoding` says), or null before the cluster's first start.
 */
export async function temporalClusterMetadata(
  server: PostgresServer,
  database: string,
): Promise<{ data: Buffer; encoding: string } | null> {
  const db = connect(server, database);
  try {
    const rows = await db<Array<{ data: Buffer; data_encoding: string }>>`
      select data, data_encoding from cluster_metadata_info where cluster_name = 'active'`;
    const row = rows[0];
    return row ? { data: row.data, encoding: row.data_encoding } : null;
  } finally {
    await db.end();
  }
}

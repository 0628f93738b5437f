import protobuf from 'protobufjs';
import {
  temporalClusterMetadata,
  temporalDatabaseState,
  type PostgresServer,
} from '../../db/server-admin';
import { DoppelError } from '../../twins/errors';
import { run } from '../embedded/child-process';
import { TEMPORAL_DATABASE, TEMPORAL_VISIBILITY_DATABASE } from './temporal-config';

export type { PostgresServer };

/** The PostgreSQL server of a URL (postgres://user:password@host:port/db). */
export function postgresServerOf(url: string): PostgresServer {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
}

const SCHEMAS = [
  { database: TEMPORAL_DATABASE, schema: 'postgresql/v12/temporal' },
  { database: TEMPORAL_VISIBILITY_DATABASE, schema: 'postgresql/v12/visibility' },
];

/**
 * Temporal's two databases with their schemas, by the server's own SQL tool: created and
 * versioned on the first start, brought to this server version's schema on every start
 * (update-schema applies only the versions a database lacks).
 */
export async function prepareTemporalDatabases(
  sqlTool: string,
  server: PostgresServer,
  log: (line: string) => void,
): Promise<void> {
  const env = { ...process.env, SQL_PASSWORD: server.password };
  const common = ['--plugin', 'postgres12', '--ep', server.host, '-p', String(server.port)];
  const tool = (database: string, args: string[]) =>
    run(sqlTool, [...common, '-u', server.user, '--db', database, ...args], { env });
  for (const { database, schema } of SCHEMAS) {
    const state = await temporalDatabaseState(server, database);
    if (state === 'absent') {
      log(`creating Temporal's database ${database}`);
      await tool(database, ['create-database']);
    }
    if (state !== 'versioned') await tool(database, ['setup-schema', '-v', '0.0']);
    await tool(database, ['update-schema', '-s', schema]);
  }
}

/**
 * The history shard count this cluster was created with, or null before its first start.
 * The server keeps it in cluster_metadata_info (temporal.server.api.persistence.v1.ClusterMetadata,
 * field 2, history_shard_count) and silently ignores a different `numHistoryShards` in its
 * config afterwards; we read it to refuse the difference instead.
 */
export async function persistedHistoryShards(server: PostgresServer): Promise<number | null> {
  const row = await temporalClusterMetadata(server, TEMPORAL_DATABASE);
  if (!row) return null;
  const reader = protobuf.Reader.create(row.data);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 2) return reader.int32();
    reader.skipType(tag & 7);
  }
  return null;
}

export const DEFAULT_HISTORY_SHARDS = 64;

/** The shard count to start with: the persisted one; a different TEMPORAL_HISTORY_SHARDS is refused. */
export function historyShardsToUse(
  requested: number | undefined,
  persisted: number | null,
): number {
  if (persisted === null) return requested ?? DEFAULT_HISTORY_SHARDS;
  if (requested !== undefined && requested !== persisted) {
    throw new DoppelError(
      'deploy:cluster.history-shards-fixed',
      `TEMPORAL_HISTORY_SHARDS=${requested}, but this Temporal cluster was created with ${persisted} history shards, and a cluster's shard count can never change.`,
      {
        hint: `unset TEMPORAL_HISTORY_SHARDS (or set it to ${persisted}); for another count, start a new cluster in another DOPPEL_DATA_DIR (or delete the temporal and temporal_visibility databases, losing every workflow)`,
      },
    );
  }
  return persisted;
}

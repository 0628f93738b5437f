import { drizzle } from 'drizzle-orm/postgres-js';
import postgres, { type TransactionSql } from 'postgres';
import * as schema from './schema';

export type Sql = postgres.Sql;

/** One connection pool and its drizzle view; `close()` ends the pool. */
export function createDatabase(url: string, options: { max?: number } = {}) {
  const sql = postgres(url, { max: options.max ?? 10, onnotice: () => {} });
  const db = drizzle(sql, { schema, casing: 'snake_case' });
  return { sql, db, close: () => sql.end({ timeout: 5 }) };
}

export type Database = ReturnType<typeof createDatabase>;

/**
 * A drizzle view of a postgres.js transaction, for the db/ functions written with drizzle
 * (the audit writer, the ledger) inside a transaction begun with `database.sql.begin`.
 */
export function drizzleIn(database: Database, tx: TransactionSql) {
  // drizzle reads the client's parser options; a transaction shares its pool's.
  const client = Object.assign(tx, { options: database.sql.options }) as unknown as postgres.Sql;
  return drizzle(client, { schema, casing: 'snake_case' });
}

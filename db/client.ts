import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';

export type Sql = postgres.Sql;

/** One connection pool and its drizzle view; `close()` ends the pool. */
export function createDatabase(url: string, options: { max?: number } = {}) {
  const sql = postgres(url, { max: options.max ?? 10, onnotice: () => {} });
  const db = drizzle(sql, { schema, casing: 'snake_case' });
  return { sql, db, close: () => sql.end({ timeout: 5 }) };
}

export type Database = ReturnType<typeof createDatabase>;

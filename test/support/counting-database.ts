import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Database } from '../../db/client';
import * as schema from '../../db/schema';

/**
 * A database client like `createDatabase`, that counts the SQL statements it sends (postgres'
 * `debug` hook sees every query), to prove that a GraphQL query costs a constant number.
 */
export function countingDatabase(url: string): Database & { queries: string[] } {
  const queries: string[] = [];
  const sql = postgres(url, {
    max: 4,
    onnotice: () => {},
    // postgres.js looks up array types once per new connection: not a query of the app's.
    debug: (_c, query) => void (query.includes('pg_catalog.pg_type') || queries.push(query)),
  });
  const db = drizzle(sql, { schema, casing: 'snake_case' });
  return { sql, db, close: () => sql.end({ timeout: 5 }), queries };
}

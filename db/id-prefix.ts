import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/**
 * The first string after every string that starts with `prefix`, in byte order: the prefix
 * with its last character one higher. Ids are ASCII slugs (twins/ids.ts), so no character
 * overflows.
 *
 * @example prefixEnd('ch-0') === 'ch-1'
 */
export function prefixEnd(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/**
 * `column` starts with `prefix`, as a byte-order range (`~>=~`, `~<~`): the operators of a
 * `text_pattern_ops` index, which answers them whatever the database's collation and with
 * the prefix as a parameter. (`LIKE 'p%'` uses an index only under the C collation or with
 * the pattern known when the query is planned, not in a prepared statement's generic plan.)
 */
export function startsWith(column: PgColumn, prefix: string): SQL {
  return sql`(${column} ~>=~ ${prefix} and ${column} ~<~ ${prefixEnd(prefix)})`;
}

import { CsvError, parse } from 'csv-parse/sync';
import { csvHeader, csvRowFields } from '../../../twins/provisioning/bulk-csv';
import {
  BULK_LIMITS,
  bulkRefusal,
  invalidRows,
  tooManyRows,
  validateBulkRows,
  type BulkInvalid,
  type BulkRow,
  type BulkRowInput,
} from '../../../twins/provisioning/bulk-rows';

export type BulkFormat = 'csv' | 'json';

const unreadable = (what: string, why: string) =>
  bulkRefusal('provisioning:bulk.unreadable', `the ${what} cannot be read: ${why}`);

/** CSV records with a header row: each as fields, by the line it ends on. */
function csvRows(content: string): BulkRowInput[] | BulkInvalid {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(content, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) return unreadable('CSV', error.message);
    throw error;
  }
  const [header, ...rows] = records;
  if (!header) return bulkRefusal('provisioning:bulk.empty', 'the file is empty');
  const head = csvHeader(header.record);
  if ('reason' in head)
    return invalidRows([{ line: header.info.lines, serial: null, reason: head.reason }], 'line');
  if (rows.length > BULK_LIMITS.rows) return tooManyRows(rows.length);
  return rows.map(({ record, info }) => {
    const read = csvRowFields(head.columns, record);
    const serial = record[head.columns.indexOf('serial')]?.trim() || null;
    return 'reason' in read
      ? { line: info.lines, unreadable: read.reason, serial }
      : { line: info.lines, fields: read.fields };
  });
}

/** A JSON array of ProvisionDeviceInput-like objects (no tenantId), by item (1-based). */
function jsonRows(content: string): BulkRowInput[] | BulkInvalid {
  let items: unknown;
  try {
    items = JSON.parse(content);
  } catch (error) {
    return unreadable('JSON', (error as Error).message);
  }
  if (!Array.isArray(items)) return unreadable('JSON', 'it must be an array of objects');
  return items.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      return { line: i + 1, unreadable: 'not an object' };
    const fields = item as Record<string, unknown>;
    // The GraphQL enum's spelling (CLAIM) is as welcome as the request's (claim).
    const method = typeof fields.method === 'string' ? fields.method.toLowerCase() : fields.method;
    return { line: i + 1, fields: method === undefined ? fields : { ...fields, method } };
  });
}

/**
 * A bulk provisioning file read and validated whole: every row valid (defaults applied), or
 * every bad row named by its CSV line or JSON item. Pure: nothing is started here.
 */
export function readBulkFile(
  format: BulkFormat,
  content: string,
  defaults: Record<string, unknown> = {},
): { rows: BulkRow[] } | BulkInvalid {
  if (content.length > BULK_LIMITS.chars)
    return bulkRefusal(
      'provisioning:bulk.too-large',
      `the file has ${content.length} characters; at most ${BULK_LIMITS.chars} per bulk provisioning — split it`,
    );
  const inputs = format === 'csv' ? csvRows(content) : jsonRows(content);
  if (!Array.isArray(inputs)) return inputs;
  return validateBulkRows(inputs, defaults, format === 'csv' ? 'line' : 'item');
}

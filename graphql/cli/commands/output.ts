import { writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { CliError } from '../api-client';

export type Format = 'table' | 'json' | 'csv';

/** Rows as an aligned table, JSON or CSV; to a file (never overwritten) or standard output. */
export function emit(
  rows: Array<Record<string, unknown>>,
  columns: string[],
  format: Format,
  out?: string,
): void {
  const cell = (v: unknown) =>
    v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  let text: string;
  if (format === 'json') text = `${JSON.stringify(rows, null, 2)}\n`;
  else if (format === 'csv')
    text = stringify(
      rows.map((r) => columns.map((c) => cell(r[c]))),
      { header: true, columns },
    );
  else {
    const cells = rows.map((r) => columns.map((c) => cell(r[c])));
    const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
    const line = (values: string[]) =>
      values
        .map((v, i) => v.padEnd(widths[i]!))
        .join('  ')
        .trimEnd();
    text = `${[line(columns), ...cells.map(line)].join('\n')}\n`;
  }
  if (!out) {
    process.stdout.write(text);
    return;
  }
  writeNewFile(out, text);
  process.stderr.write(`wrote ${rows.length} rows to ${out}\n`);
}

/** Writes a file that must not exist yet: an export never overwrites one. */
export function writeNewFile(out: string, text: string): void {
  try {
    writeFileSync(out, text, { flag: 'wx' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new CliError(
      code === 'EEXIST' ? 'cli:output.exists' : 'cli:output.unwritable',
      code === 'EEXIST' ? `${out} exists; choose another file` : `cannot write ${out} (${code})`,
    );
  }
}

/**
 * The columns of a bulk provisioning CSV and how a cell becomes a request field. Empty cells
 * are left out (the defaults or the request's own defaults apply).
 */
type Cell = (value: string) => unknown;

const text: Cell = (v) => v;
const lower: Cell = (v) => v.toLowerCase();
const wholeNumber: Cell = (v) => {
  if (!/^-?\d+$/.test(v)) throw new Error(`"${v}" is not a whole number`);
  return Number(v);
};
const list: Cell = (v) =>
  v
    .split(';')
    .map((t) => t.trim())
    .filter((t) => t !== '');
const jsonObject: Cell = (v) => {
  let value: unknown;
  try {
    value = JSON.parse(v);
  } catch {
    throw new Error('not valid JSON (write it like {"config":{"interval":60}}, quotes doubled)');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('not a JSON object');
  return value;
};

/** Column → [request field path, cell conversion]. */
const COLUMNS: Record<string, [path: string[], cell: Cell]> = {
  serial: [['serial'], text],
  model: [['model'], text],
  method: [['method'], lower],
  claimToken: [['claimToken'], text],
  claimExpiresInS: [['claimExpiresInS'], wholeNumber],
  assetId: [['assetId'], text],
  tags: [['tags'], list],
  desired: [['desired'], jsonObject],
  expectModel: [['expect', 'model'], text],
  expectFirmware: [['expect', 'firmware'], text],
  expectReported: [['expect', 'reported'], jsonObject],
  activationTimeoutS: [['activationTimeoutS'], wholeNumber],
};

export const CSV_COLUMNS = Object.keys(COLUMNS);

const byLowerCase = new Map(CSV_COLUMNS.map((c) => [c.toLowerCase(), c]));

/** The header's columns in their canonical spelling (any case), or what is wrong with it. */
export function csvHeader(cells: readonly string[]): { columns: string[] } | { reason: string } {
  const columns = cells.map((c) => byLowerCase.get(c.trim().toLowerCase()));
  const unknown = cells.filter((_, i) => columns[i] === undefined);
  if (unknown.length > 0)
    return {
      reason: `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')}; the columns are ${CSV_COLUMNS.join(', ')}`,
    };
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice) return { reason: `column ${twice} appears twice` };
  if (!columns.includes('serial')) return { reason: 'the header has no serial column' };
  return { columns: columns as string[] };
}

/** One CSV record as request fields, or why a cell cannot be read. */
export function csvRowFields(
  columns: readonly string[],
  cells: readonly string[],
): { fields: Record<string, unknown> } | { reason: string } {
  if (cells.length !== columns.length)
    return { reason: `${cells.length} cells where the header has ${columns.length} columns` };
  const fields: Record<string, unknown> = {};
  const problems: string[] = [];
  columns.forEach((column, i) => {
    const raw = cells[i]!.trim();
    if (raw === '') return;
    const [path, cell] = COLUMNS[column]!;
    try {
      const value = cell(raw);
      if (path.length === 1) fields[path[0]!] = value;
      else fields[path[0]!] = { ...(fields[path[0]!] as object | undefined), [path[1]!]: value };
    } catch (error) {
      problems.push(`${column}: ${(error as Error).message}`);
    }
  });
  return problems.length > 0 ? { reason: problems.join('; ') } : { fields };
}

import type { z } from 'zod';
import { reject, type Rejection } from '../errors';
import { bulkDefaultsSchema, provisionRequestSchema, type ProvisionRequest } from './request';

/** What one bulk provisioning accepts: beyond these, split the file. */
export const BULK_LIMITS = {
  rows: 10_000,
  /** Characters of the file's content. */
  chars: 4 * 1024 * 1024,
  /** Row errors listed in full; the rest are counted. */
  listedErrors: 100,
} as const;

export type BulkDefaults = z.infer<typeof bulkDefaultsSchema>;

/** A row as read from the file: where it is (CSV line or JSON item), its fields or why it is unreadable. */
export type BulkRowInput =
  | { readonly line: number; readonly fields: Record<string, unknown> }
  | { readonly line: number; readonly unreadable: string; readonly serial?: string | null };

export interface BulkRow {
  readonly line: number;
  readonly request: ProvisionRequest;
}

export interface BulkRowError {
  readonly line: number;
  readonly serial: string | null;
  readonly reason: string;
}

/** A file some rows of which are invalid: the first errors in full, and how many in all. */
export interface BulkInvalid extends Rejection {
  readonly errors: readonly BulkRowError[];
  readonly errorCount: number;
}

const issuesOf = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`).join('; ');

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields that are set: null means "not given" (GraphQL, JSON), in `expect` too. */
function given(o: Record<string, unknown>): Record<string, unknown> {
  const set = Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== null && v !== undefined),
  );
  return isObject(set.expect) ? { ...set, expect: given(set.expect) } : set;
}

/** A row's fields over the defaults (the row wins; `expect` is merged field by field). */
function withDefaults(fields: Record<string, unknown>, defaults: Record<string, unknown>) {
  const own = given(fields);
  if (!isObject(defaults.expect) || !isObject(own.expect)) return { ...defaults, ...own };
  return { ...defaults, ...own, expect: { ...defaults.expect, ...own.expect } };
}

/**
 * Validates every row of a bulk file before anything is started: each against the single
 * provisioning request (defaults filled in), serials unique within the file. Either all rows
 * are valid, or the answer names every bad one by its line.
 *
 * @example validateBulkRows([{ line: 2, fields: { serial: 'SN-1' } }], {}, 'line')
 *   // { rows: [{ line: 2, request: { serial: 'SN-1', method: 'credentials', … } }] }
 */
export function validateBulkRows(
  inputs: readonly BulkRowInput[],
  defaults: Record<string, unknown>,
  unit: 'line' | 'item',
): { rows: BulkRow[] } | BulkInvalid {
  const base = given(defaults);
  const checked = bulkDefaultsSchema.strict().safeParse(base);
  if (!checked.success)
    return bulkRefusal(
      'provisioning:bulk.defaults-invalid',
      `defaults: ${issuesOf(checked.error)}`,
    );
  if (inputs.length === 0) return bulkRefusal('provisioning:bulk.empty', 'the file has no rows');
  if (inputs.length > BULK_LIMITS.rows) return tooManyRows(inputs.length);
  const rows: BulkRow[] = [];
  const errors: BulkRowError[] = [];
  const firstLineOf = new Map<string, number>();
  for (const input of inputs) {
    const { line } = input;
    if ('unreadable' in input) {
      errors.push({ line, serial: input.serial ?? null, reason: input.unreadable });
      continue;
    }
    const { fields } = input;
    const serial = typeof fields.serial === 'string' ? fields.serial : null;
    const seenAt = serial === null ? undefined : firstLineOf.get(serial);
    if (seenAt !== undefined) {
      errors.push({ line, serial, reason: `serial ${serial} is also on ${unit} ${seenAt}` });
      continue;
    }
    if (serial !== null) firstLineOf.set(serial, line);
    const parsed = provisionRequestSchema.safeParse(withDefaults(fields, base));
    if (parsed.success) rows.push({ line, request: parsed.data });
    else errors.push({ line, serial, reason: issuesOf(parsed.error) });
  }
  return errors.length > 0 ? invalidRows(errors, unit) : { rows };
}

export const bulkRefusal = (
  code: string,
  message: string,
  errors: BulkRowError[] = [],
): BulkInvalid => ({
  ...reject(code, message),
  errors,
  errorCount: errors.length,
});

export const tooManyRows = (count: number) =>
  bulkRefusal(
    'provisioning:bulk.too-many-rows',
    `the file has ${count} rows; at most ${BULK_LIMITS.rows} per bulk provisioning — split it`,
  );

/** Every row error counted, the first ones listed, each named by its line. */
export function invalidRows(errors: BulkRowError[], unit: 'line' | 'item'): BulkInvalid {
  const listed = errors.slice(0, BULK_LIMITS.listedErrors);
  const more = errors.length - listed.length;
  const message = [
    `${errors.length} invalid row${errors.length === 1 ? '' : 's'}, nothing was started:`,
    ...listed.map((e) => `  ${unit} ${e.line}: ${e.reason}`),
    ...(more > 0 ? [`  … and ${more} more`] : []),
  ].join('\n');
  return {
    ...bulkRefusal('provisioning:bulk.invalid', message, listed),
    errorCount: errors.length,
  };
}

/**
 * Whether a bulk row needs its own provisioning workflow (a long wait or another actor),
 * and why; null when it is registered in a batch, its activation the first connection. Only
 * these cost a workflow: activation expectations (model, firmware, reported configuration
 * verified within `activationTimeoutS`), an asset to bind (the asset twin decides), or a
 * tenant admission hook (asked per row, may amend it).
 *
 * @example provisioningWorkflowReason({ expect: { firmware: '2.0' } }, false) // 'activation expectations'
 */
export function provisioningWorkflowReason(
  request: Pick<ProvisionRequest, 'expect' | 'assetId'>,
  admissionHook: boolean,
): string | null {
  const { expect } = request;
  if (
    expect.model !== undefined ||
    expect.firmware !== undefined ||
    Object.keys(expect.reported ?? {}).length > 0
  )
    return 'activation expectations';
  if (request.assetId) return 'an asset to bind';
  if (admissionHook) return 'the tenant has an admission hook';
  return null;
}

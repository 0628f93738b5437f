import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * What one audit entry keeps of a mutation's arguments at most. The audit trail is an
 * append-only ledger every role writes to (refused mutations included), so without a bound
 * the lowest role could grow it by megabytes per request.
 */
export const AUDIT_INPUT_LIMITS = { maxBytes: 8 * 1024, maxKeys: 64 } as const;

const SECRET_KEY = /secret|token|password|claim|^key$|content/i;
const MAX_STRING = 500;
const MAX_ITEMS = 100;
const MAX_DEPTH = 32;

/**
 * The arguments as the audit trail keeps them: no secrets, no file contents, within
 * AUDIT_INPUT_LIMITS. Arguments past the limits are kept as a preview (the first keys and
 * values that fit) beside `$truncated`: the size in bytes and number of keys of the full
 * arguments, and the SHA-256 of their canonical JSON (RFC 8785, secrets replaced by
 * "[redacted]"), so whoever holds the request can show it is the one recorded. The `$` names
 * cannot clash with an argument's (GraphQL names never start with `$`).
 *
 * @example
 * auditInput({ input: { tenantId: 'acme', patch: hugeObject } });
 * // { $truncated: { bytes: 2_400_118, keys: 5_003, sha256: '9f…' }, $preview: { input: { tenantId: 'acme', patch: { … } } } }
 */
export function auditInput(args: Record<string, unknown>): Record<string, unknown> {
  const kept = redacted(args) as Record<string, unknown>;
  if (fits(kept)) return kept;
  let full: { bytes: number; keys: number; sha256: string } | { unreadable: string };
  try {
    const canonical = canonicalize(secretsReplaced(args)) ?? 'null';
    full = {
      bytes: Buffer.byteLength(canonical),
      keys: keysIn(args),
      sha256: createHash('sha256').update(canonical).digest('hex'),
    };
  } catch {
    full = { unreadable: `nested deeper than the runtime can serialise` };
  }
  const budget = { keys: AUDIT_INPUT_LIMITS.maxKeys / 2, bytes: AUDIT_INPUT_LIMITS.maxBytes / 2 };
  const truncated = { $truncated: full, $preview: preview(kept, budget) };
  return fits(truncated) ? truncated : { $truncated: full };
}

const fits = (value: unknown) =>
  keysIn(value) <= AUDIT_INPUT_LIMITS.maxKeys &&
  Buffer.byteLength(JSON.stringify(value)) <= AUDIT_INPUT_LIMITS.maxBytes;

/** Keys of every object in the value, nested ones included. */
function keysIn(value: unknown, depth = 0): number {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return 0;
  let count = 0;
  for (const [, v] of Object.entries(value))
    count += (Array.isArray(value) ? 0 : 1) + keysIn(v, depth + 1);
  return count;
}

/** No secrets, no file contents, long strings and lists summarised, deep nesting cut. */
export function redacted(value: unknown, key = '', depth = 0): unknown {
  if (key && SECRET_KEY.test(key) && value !== null && value !== undefined) return '[redacted]';
  if (typeof value === 'string')
    return value.length > MAX_STRING ? `[${value.length} characters]` : value;
  if (value && typeof value === 'object' && depth >= MAX_DEPTH)
    return `[nested deeper than ${MAX_DEPTH}]`;
  if (Array.isArray(value))
    return value.length > MAX_ITEMS
      ? `[${value.length} items]`
      : value.map((v) => redacted(v, '', depth + 1));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, redacted(v, k, depth + 1)]),
    );
  return value;
}

/** The arguments as received but for secrets: what the digest of a truncated entry covers. */
function secretsReplaced(value: unknown, key = ''): unknown {
  if (key && SECRET_KEY.test(key) && value !== null && value !== undefined) return '[redacted]';
  if (Array.isArray(value)) return value.map((v) => secretsReplaced(v));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretsReplaced(v, k)]));
  return value;
}

/** The first keys and items of a redacted value that fit the budget; the rest counted. */
function preview(value: unknown, budget: { keys: number; bytes: number }): unknown {
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      if (budget.bytes <= 0 || budget.keys <= 0) {
        items.push(`[${value.length - items.length} more items]`);
        break;
      }
      items.push(preview(item, budget));
    }
    return items;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    const kept: Record<string, unknown> = {};
    for (const [i, [k, v]] of entries.entries()) {
      if (budget.bytes <= 0 || budget.keys <= 0) {
        kept['…'] = `${entries.length - i} more keys`;
        break;
      }
      budget.keys -= 1;
      budget.bytes -= Buffer.byteLength(k) + 4;
      kept[k] = preview(v, budget);
    }
    return kept;
  }
  budget.bytes -= Buffer.byteLength(JSON.stringify(value ?? null));
  return value;
}

/**
 * The one error type of Doppel. Errors cross process and Temporal boundaries, so callers
 * compare them by `code` (namespaced, stable), never by class or message.
 *
 * @example
 *   throw new DoppelError('twin:device.unknown-session', 'report from a session that is not open', {
 *     hint: 'send hello first',
 *   });
 */
export class DoppelError extends Error {
  override readonly name = 'DoppelError';
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}

/** A typed refusal returned by a twin's `decide`, instead of throwing inside workflow code. */
export interface Rejection {
  readonly rejected: true;
  readonly code: string;
  readonly message: string;
}

export function reject(code: string, message: string): Rejection {
  return { rejected: true, code, message };
}

export function isRejection(value: unknown): value is Rejection {
  return typeof value === 'object' && value !== null && (value as Rejection).rejected === true;
}

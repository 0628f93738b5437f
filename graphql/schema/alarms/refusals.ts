import { z } from 'zod';
import { DoppelError } from '../../../twins/errors';
import { apiError } from '../../errors';

/** A document checked against a zod schema: refused with `code`, every issue with its path. */
export function parsedOrRefused<T>(
  schema: z.ZodType<T>,
  json: unknown,
  code: string,
  what: string,
): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw apiError(code, `invalid ${what}:\n${z.prettifyError(parsed.error)}`, {
    issues: parsed.error.issues.map((i) => ({
      path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
      message: i.message,
    })),
  });
}

/** Runs a store call, its refusals (DoppelError) as API errors with their code and hint. */
export async function refusedAs<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DoppelError)
      throw apiError(error.code, error.message, error.hint ? { hint: error.hint } : {});
    throw error;
  }
}

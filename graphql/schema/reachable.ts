import { DoppelError } from '../../twins/errors';
import { apiError } from '../errors';

/**
 * Where tenant-given URLs may lead (the process wiring passes the gateway's egress rules). It
 * throws a DoppelError (`egress:forbidden`) for a URL that names a refused address itself; a
 * name that resolves to one is refused again where the worker or gateway connects.
 */
export interface UrlPolicy {
  checkUrl(url: string): void;
}

/** Refuses a tenant-given URL its policy refuses, as an API error with the policy's code. */
export function requireReachable(ctx: { egress: UrlPolicy }, url: string): void {
  try {
    ctx.egress.checkUrl(url);
  } catch (error) {
    if (error instanceof DoppelError)
      throw apiError(error.code, error.message, { hint: error.hint });
    throw error;
  }
}

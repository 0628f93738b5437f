import type { Egress } from '../../outbound/egress';
import { DoppelError } from '../../twins/errors';
import { apiError } from '../errors';

/**
 * Where tenant-given URLs may lead: the egress rules of outbound/, which the worker and the
 * gateway obey where they connect. The API only checks URLs: it throws `egress:forbidden` for
 * a URL that names a refused address itself; a name that resolves to one is refused again
 * where the worker or gateway connects.
 */
export type UrlPolicy = Pick<Egress, 'checkUrl'>;

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

import type { Egress } from './egress';
import { signatureHeaders, type Signing } from './signing';

export interface SignedPost {
  url: string;
  body: string;
  signing: Signing;
  contentType: string;
  /** Per-attempt time-out; the receiver has not answered by then: the attempt failed. */
  timeoutMs: number;
  /** Further headers (never the signature's: those are set last). */
  headers?: Record<string, string>;
}

/**
 * POSTs a signed body to a tenant-given URL through `egress` (private networks refused unless
 * allowed, redirects answered, not followed). Every webhook Doppel sends goes out here:
 * partner webhooks (worker), the gateway's webhook backends, admission hooks (worker).
 */
export function postSigned(egress: Egress, post: SignedPost) {
  return egress.fetch(post.url, {
    method: 'POST',
    headers: {
      ...post.headers,
      'content-type': post.contentType,
      ...signatureHeaders(post.signing, post.body, new Date()),
    },
    body: post.body,
    signal: AbortSignal.timeout(post.timeoutMs),
  });
}

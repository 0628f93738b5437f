import type { AdmissionAmend, ProvisionRequest } from './request';

/* Apart from request.ts so that workflow code, which uses it, does not bundle zod. */

/** The request as the hook amended it (the serial and identity method never change). */
export function amendRequest(
  request: ProvisionRequest,
  amend: AdmissionAmend | undefined,
): ProvisionRequest {
  if (!amend) return request;
  return { ...request, ...amend, expect: amend.expect ?? request.expect };
}

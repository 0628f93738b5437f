import type { ServerResponse } from 'node:http';

/**
 * OCPI 2.2.1's status codes (transport_and_format, "Response format"): 1xxx success, 2xxx an
 * error of the client's request, 3xxx an error of the server meeting the client's API.
 */
export const OCPI_STATUS = {
  success: 1000,
  clientError: 2000,
  invalidParameters: 2001,
  notEnoughInformation: 2002,
  unknownLocation: 2003,
  unknownToken: 2004,
  serverError: 3000,
  unableToUseClientApi: 3001,
  unsupportedVersion: 3002,
  noMatchingEndpoints: 3003,
} as const;

/** Every OCPI answer: data, a status code and message, and when it was made. */
export interface OcpiEnvelope<T> {
  readonly data?: T;
  readonly status_code: number;
  readonly status_message?: string;
  readonly timestamp: string;
}

export const envelope = <T>(data: T, statusCode: number = OCPI_STATUS.success, message?: string) =>
  ({
    ...(data === undefined ? {} : { data }),
    status_code: statusCode,
    ...(message ? { status_message: message } : {}),
    timestamp: new Date().toISOString(),
  }) satisfies OcpiEnvelope<T>;

/**
 * A refused OCPI request: the HTTP status the spec asks for (401 without a valid token, 405
 * for a registration in the wrong state, 404 for an unknown object, 400 for a bad request) and
 * the OCPI status code, with a Doppel code (`ocpi:…`) in the message for operators' logs.
 */
export class OcpiError extends Error {
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    readonly ocpiStatus: number,
    message: string,
  ) {
    super(message);
  }
}

/** Writes an OCPI answer as JSON with any extra headers (paging, routing). */
export function sendOcpi(
  res: ServerResponse,
  httpStatus: number,
  body: OcpiEnvelope<unknown>,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(httpStatus, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export const sendOcpiError = (res: ServerResponse, error: OcpiError) =>
  sendOcpi(
    res,
    error.httpStatus,
    envelope(undefined, error.ocpiStatus, `${error.code}: ${error.message}`),
    error.httpStatus === 401 ? { 'www-authenticate': 'Token' } : {},
  );

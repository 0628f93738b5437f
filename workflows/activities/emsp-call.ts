import { ApplicationFailure } from '@temporalio/common';
import type { OcpiPartyRow } from '../../db/ocpi-party-store';
import type { Egress } from '../../outbound/egress';

/** What an eMSP answered one call: HTTP status, OCPI status_code (if any), body, Location. */
export interface EmspAnswer {
  readonly status: number;
  readonly code: unknown;
  readonly text: string;
  readonly location: string | null;
}

/** Doppel's routing headers towards a party (docs/ocpi.md, "Transport"). */
export const emspRoutingHeaders = (party: OcpiPartyRow): Record<string, string> => ({
  'ocpi-from-country-code': party.cpoCountryCode,
  'ocpi-from-party-id': party.cpoPartyId,
  'ocpi-to-country-code': party.countryCode ?? '',
  'ocpi-to-party-id': party.partyCode ?? '',
});

/**
 * One call of a workflow's activity to an eMSP: token B, the party's routing headers, request
 * and correlation ids, JSON, 10 s, under the egress rules. An eMSP that cannot be reached is a
 * retryable `failureType` failure; what it answered is the caller's to judge (`emspAccepted`).
 */
export async function callEmsp(
  egress: Egress,
  call: {
    method: string;
    url: string;
    /** The party's token B. */
    token: string;
    /** emspRoutingHeaders(party). */
    headers: Record<string, string>;
    body?: unknown;
    failureType: string;
    attempt: number;
  },
): Promise<EmspAnswer> {
  try {
    const response = await egress.fetch(call.url, {
      method: call.method,
      headers: {
        authorization: `Token ${Buffer.from(call.token, 'utf8').toString('base64')}`,
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        'x-request-id': crypto.randomUUID(),
        'x-correlation-id': crypto.randomUUID(),
        ...call.headers,
      },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let code: unknown;
    try {
      code = (JSON.parse(text) as { status_code?: unknown }).status_code;
    } catch {
      code = undefined;
    }
    return { status: response.status, code, text, location: response.headers.get('location') };
  } catch (error) {
    const reason = error instanceof Error ? (error.cause ?? error) : error;
    throw ApplicationFailure.retryable(
      `${call.method} ${call.url} failed (attempt ${call.attempt}): ${String(reason)}`,
      call.failureType,
    );
  }
}

/** OCPI's success: a 2xx answer with a 1xxx status_code. */
export const emspAccepted = (answer: EmspAnswer): boolean =>
  answer.status >= 200 &&
  answer.status <= 299 &&
  typeof answer.code === 'number' &&
  answer.code < 2000;

/** The retryable failure for an answer that is not a success. */
export const emspRefused = (
  call: { method: string; url: string; failureType: string; attempt: number },
  answer: EmspAnswer,
): ApplicationFailure =>
  ApplicationFailure.retryable(
    `${call.method} ${call.url} answered HTTP ${answer.status}, status_code ${String(answer.code)}: ${answer.text.slice(0, 300)} (attempt ${call.attempt})`,
    call.failureType,
  );

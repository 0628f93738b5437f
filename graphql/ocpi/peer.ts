import type { z } from 'zod';
import type { Egress } from '../../outbound/egress';
import type { OcpiEndpoint } from '../../db/ocpi-party-store';
import { OCPI_STATUS, OcpiError } from './envelope';
import { versionDetails, versionsList, zodReasons } from './credentials-object';
import { tokenHeader } from './token-header';

/** The OCPI version Doppel speaks. */
export const OCPI_VERSION = '2.2.1';

/** How long Doppel waits for a party's answer during a handshake. */
const PEER_TIMEOUT_MS = 10_000;

/** Calls a party's OCPI API: egress rules apply, redirects are answers (outbound/egress.ts). */
export type PeerFetch = Egress['fetch'];

const unusable = (url: string, why: string) =>
  new OcpiError(
    'ocpi:peer.unusable',
    400,
    OCPI_STATUS.unableToUseClientApi,
    `could not use ${url}: ${why}`,
  );

/**
 * One OCPI request to a party, its answer's `data` checked with `schema`. Anything but an
 * HTTP 2xx with status_code 1xxx and well-formed data is the party's API being unusable (3001).
 */
export async function callPeer<T>(
  fetch: PeerFetch,
  url: string,
  token: string,
  schema: z.ZodType<T>,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  let response;
  try {
    response = await fetch(url, {
      method: init.method ?? 'GET',
      headers: {
        authorization: tokenHeader(token),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(PEER_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw unusable(url, cause ?? (error as Error).message);
  }
  const text = await response.text();
  if (!response.ok) throw unusable(url, `HTTP ${response.status} ${text.slice(0, 200)}`);
  let body: { status_code?: unknown; status_message?: unknown; data?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    throw unusable(url, 'the answer is not JSON');
  }
  if (typeof body.status_code !== 'number' || body.status_code >= 2000)
    throw unusable(
      url,
      `status_code ${String(body.status_code)} ${String(body.status_message ?? '')}`,
    );
  const data = schema.safeParse(body.data);
  if (!data.success) throw unusable(url, zodReasons(data.error));
  return data.data;
}

/** A party's 2.2.1 endpoints, read from its versions URL (the first half of every handshake). */
export async function peerEndpoints(
  fetch: PeerFetch,
  versionsUrl: string,
  token: string,
): Promise<OcpiEndpoint[]> {
  const versions = await callPeer(fetch, versionsUrl, token, versionsList);
  const ours = versions.find((v) => v.version === OCPI_VERSION);
  if (!ours)
    throw new OcpiError(
      'ocpi:peer.version',
      400,
      OCPI_STATUS.unsupportedVersion,
      `${versionsUrl} offers ${versions.map((v) => v.version).join(', ') || 'no version'}, not ${OCPI_VERSION}`,
    );
  const details = await callPeer(fetch, ours.url, token, versionDetails);
  return details.endpoints;
}

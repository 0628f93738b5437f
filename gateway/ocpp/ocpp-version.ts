/** The OCPP-J versions this gateway speaks, named by their WebSocket subprotocol. */
export const OCPP_VERSIONS = ['ocpp1.6', 'ocpp2.0.1'] as const;
export type OcppVersion = (typeof OCPP_VERSIONS)[number];

/**
 * The first subprotocol the station offers that we speak (the station lists them in its
 * order of preference), or null when there is none.
 *
 * @example pickSubprotocol('ocpp2.1, ocpp2.0.1, ocpp1.6') === 'ocpp2.0.1'
 */
export function pickSubprotocol(header: string): OcppVersion | null {
  for (const offered of header.split(',')) {
    const name = offered.trim();
    if ((OCPP_VERSIONS as readonly string[]).includes(name)) return name as OcppVersion;
  }
  return null;
}

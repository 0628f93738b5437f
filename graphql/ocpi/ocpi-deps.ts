import type { Database } from '../../db/client';
import type { DeviceKey } from '../../twins/ids';
import type { CommandRequest } from '../../workflows/device-twin/messages';
import type { OcpiCommandArgs } from '../../workflows/ocpi-command/messages';
import type { PeerFetch } from './peer';

/** What Doppel's OCPI CPO interface needs, in the API process. */
export interface OcpiDeps {
  readonly database: Database;
  /** Calls to eMSPs, under the egress rules of webhooks. */
  readonly fetch: PeerFetch;
  /** Where eMSPs reach this API (OCPI_BASE_URL), without a trailing slash. */
  baseUrl(): string;
  /** A party finished a handshake: start (or wake) its push workflow. */
  onConnected?(tenantId: string, partyId: string): Promise<void>;
  /** Commands to stations through their twins, and the workflow that reports their result. */
  commands?: {
    send(key: DeviceKey, request: CommandRequest): Promise<unknown>;
    watch(args: OcpiCommandArgs): Promise<void>;
  };
}

export const OCPI_PATH = '/ocpi/cpo';

export const versionsUrl = (deps: OcpiDeps) => `${deps.baseUrl()}${OCPI_PATH}/versions`;
export const moduleUrl = (deps: OcpiDeps, module?: string) =>
  `${deps.baseUrl()}${OCPI_PATH}/2.2.1${module ? `/${module}` : ''}`;

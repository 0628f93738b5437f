import { moduleUrl, type OcpiDeps } from './ocpi-deps';
import { OCPI_VERSION } from './peer';

/** GET /ocpi/cpo/versions: the one version Doppel speaks. */
export const versionsDocument = (deps: OcpiDeps) => [
  { version: OCPI_VERSION, url: moduleUrl(deps) },
];

/**
 * The modules Doppel serves as a CPO and their interface role (OCPI 2.2.1 version details).
 * Modules appear here as they are built: an eMSP only calls what is listed.
 */
export const CPO_MODULES = [
  { identifier: 'credentials', role: 'RECEIVER' },
  { identifier: 'locations', role: 'SENDER' },
  { identifier: 'tariffs', role: 'SENDER' },
  { identifier: 'commands', role: 'RECEIVER' },
  { identifier: 'tokens', role: 'RECEIVER' },
  { identifier: 'sessions', role: 'SENDER' },
  { identifier: 'cdrs', role: 'SENDER' },
] as const;

/** GET /ocpi/cpo/2.2.1: the version details. */
export const versionDetailsDocument = (deps: OcpiDeps) => ({
  version: OCPI_VERSION,
  endpoints: CPO_MODULES.map((m) => ({ ...m, url: moduleUrl(deps, m.identifier) })),
});

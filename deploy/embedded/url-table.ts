import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { apiUrlFile } from '../../graphql/cli/stack-url';

/** A path relative to where you are when that is shorter (.data/admin-token), else absolute. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

const shown = (host: string) => (host === '0.0.0.0' ? 'localhost' : host);

/**
 * The rows every profile's start-up table shares: where devices, metrics and the API are, the
 * admin token when the profile signed one, and which private networks tenants' URLs may reach.
 */
export function roleRows(
  config: {
    GATEWAY_HOST: string;
    GATEWAY_METRICS_HOST: string;
    API_HOST: string;
    EGRESS_ALLOWED_NETWORKS: readonly string[];
  },
  ports: { gateway: number; metrics: number; api: number },
  adminTokenFile: string | null,
): { head: string[]; tenantsUrls: string } {
  const networks = config.EGRESS_ALLOWED_NETWORKS;
  const head = [
    `  Device gateway   ws://${shown(config.GATEWAY_HOST)}:${ports.gateway}/device`,
    `  Gateway metrics  http://${config.GATEWAY_METRICS_HOST}:${ports.metrics}/metrics`,
    `  Console          http://${shown(config.API_HOST)}:${ports.api}/   (the operator console: sign in with a token; docs/console.md)`,
    `  GraphQL API      http://${shown(config.API_HOST)}:${ports.api}/graphql   (GraphiQL in a browser)`,
    ...(adminTokenFile
      ? [
          `  Admin token      ${shownPath(adminTokenFile)}   (Authorization: Bearer <token>; valid 30 days, renewed on each start)`,
        ]
      : []),
  ];
  const tenantsUrls = `  Tenants' URLs    ${networks.length ? `public addresses and ${networks.join(', ')} (EGRESS_ALLOWED_NETWORKS)` : 'public addresses only (EGRESS_ALLOWED_NETWORKS allows more)'}`;
  return { head, tenantsUrls };
}

/**
 * The CLI finds a running stack's API in its data folder (graphql/cli/stack-url.ts), as it finds
 * its admin token; returns what removes the file again on stop.
 */
export async function publishApiUrl(
  dataDir: string,
  host: string,
  port: number,
): Promise<() => Promise<void>> {
  const urlFile = apiUrlFile(dataDir);
  await writeFile(urlFile, `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/graphql\n`);
  return () => rm(urlFile, { force: true });
}

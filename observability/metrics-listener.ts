import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsListener {
  /** The port GET /metrics is served on (the one asked for, or the one picked for 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `registry` at GET /metrics on a listener of its own: metrics tell how busy a role is
 * and who calls it, so they are never on the port its clients or devices use. `extra` appends
 * text exposition from elsewhere (Temporal Core's own Prometheus endpoint, for the worker).
 */
export async function serveMetrics(
  host: string,
  port: number,
  registry: Registry,
  extra?: () => Promise<string>,
): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end('not found');
      return;
    }
    Promise.all([registry.metrics(), extra?.() ?? ''])
      .then(([own, more]) =>
        res.writeHead(200, { 'content-type': registry.contentType }).end(`${own}\n${more}`),
      )
      .catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  server.listen(port, host);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Reads another process-local Prometheus endpoint (Temporal Core's, which the SDK serves
 * itself) for `serveMetrics`' `extra`; an unreachable one leaves a comment, not a failed scrape.
 */
export function scrapeFrom(address: string): () => Promise<string> {
  return async () => {
    try {
      const response = await fetch(`http://${address}/metrics`, {
        signal: AbortSignal.timeout(2_000),
      });
      return await response.text();
    } catch (error) {
      return `# Temporal Core metrics unavailable at ${address}: ${String(error)}\n`;
    }
  };
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface NginxParams {
  /** Folder for the pid file, logs and temp files. */
  PREFIX: string;
  /** host:port of the gateway. */
  GATEWAY: string;
  /** What nginx listens on, e.g. 443 or 127.0.0.1:8443. */
  LISTEN: string;
  SERVER_CERT: string;
  SERVER_KEY: string;
  /** The CA that issues station certificates (security profile 3). */
  CLIENT_CA: string;
}

const TEMPLATE = fileURLToPath(new URL('./doppel.conf.template', import.meta.url));

/** The nginx configuration for these parameters; every ${NAME} must be given. */
export function renderNginxConfig(params: NginxParams): string {
  return readFileSync(TEMPLATE, 'utf8').replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => {
    const value = (params as unknown as Record<string, string>)[name];
    if (value === undefined) throw new Error(`nginx template parameter ${name} is missing`);
    return value;
  });
}

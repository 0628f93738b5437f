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
  /**
   * The installation's CA that issues station certificates (security profile 3), each with CN =
   * the station's identity and O = its tenant's id (docs/security.md).
   */
  CLIENT_CA: string;
  /** That CA's certificate revocation list (PEM), if any: revoked stations are refused. */
  CLIENT_CRL?: string;
}

const TEMPLATE = fileURLToPath(new URL('./doppel.conf.template', import.meta.url));

/** The nginx configuration for these parameters; every ${NAME} must be given. */
export function renderNginxConfig(params: NginxParams): string {
  const values: Record<string, string | undefined> = {
    ...params,
    SSL_CRL: params.CLIENT_CRL ? `ssl_crl ${params.CLIENT_CRL};` : '# no CLIENT_CRL given',
  };
  return readFileSync(TEMPLATE, 'utf8').replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`nginx template parameter ${name} is missing`);
    return value;
  });
}

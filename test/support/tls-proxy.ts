import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, run, stopChild, waitForPort } from '../../deploy/embedded/child-process';
import { renderNginxConfig } from '../../deploy/nginx/render-config';

/** A test PKI made with the openssl CLI: an operator CA, a server certificate, station certificates. */
export async function makePki(dir: string) {
  const ssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Doppel Test CA/O=Acme Charging',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  );
  await ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server.pem',
  );
  // A minimal `openssl ca` setup, only to revoke certificates and sign the CRL.
  writeFileSync(path.join(dir, 'index.txt'), '');
  writeFileSync(path.join(dir, 'crlnumber'), '01\n');
  writeFileSync(
    path.join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\ncrlnumber = crlnumber\n' +
      'certificate = ca.pem\nprivate_key = ca.key\ndefault_md = sha256\ndefault_crl_days = 2\n',
  );
  const crl = path.join(dir, 'crl.pem');
  const writeCrl = () => ssl('ca', '-config', 'ca.cnf', '-gencrl', '-out', 'crl.pem');
  await writeCrl();
  return {
    ca: path.join(dir, 'ca.pem'),
    /** The CA's certificate revocation list, empty until `revoke`. */
    crl,
    /** Revokes a certificate and writes the CRL anew (nginx reads it on reload). */
    async revoke(cert: string) {
      await ssl('ca', '-config', 'ca.cnf', '-revoke', cert);
      await writeCrl();
    },
    serverCert: path.join(dir, 'server.pem'),
    serverKey: path.join(dir, 'server.key'),
    /**
     * A station certificate with this CN, issued by the test CA (or self-signed with `rogue`).
     * `subject` replaces the whole subject (e.g. /CN=…/O=<tenant>); by default O = Acme Charging.
     */
    async station(cn: string, options: { rogue?: boolean; subject?: string; name?: string } = {}) {
      const name = options.name ?? `${cn}${options.rogue ? '-rogue' : ''}`;
      await ssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        options.subject ?? `/CN=${cn}/O=Acme Charging`,
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
      );
      if (options.rogue)
        await ssl(
          'x509',
          '-req',
          '-in',
          `${name}.csr`,
          '-signkey',
          `${name}.key`,
          '-days',
          '2',
          '-out',
          `${name}.pem`,
        );
      else
        await ssl(
          'x509',
          '-req',
          '-in',
          `${name}.csr`,
          '-CA',
          'ca.pem',
          '-CAkey',
          'ca.key',
          '-CAcreateserial',
          '-days',
          '2',
          '-out',
          `${name}.pem`,
        );
      return { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
    },
  };
}

/** nginx from the machine's packages, terminating TLS in front of a gateway, as deploy/nginx does. */
export async function startTlsProxy(gatewayPort: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'doppel-tls-'));
  const pki = await makePki(dir);
  const port = await freePort();
  const prefix = path.join(dir, 'nginx');
  mkdirSync(prefix);
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    renderNginxConfig({
      PREFIX: prefix,
      GATEWAY: `127.0.0.1:${gatewayPort}`,
      LISTEN: `127.0.0.1:${port}`,
      SERVER_CERT: pki.serverCert,
      SERVER_KEY: pki.serverKey,
      CLIENT_CA: pki.ca,
      CLIENT_CRL: pki.crl,
    }),
  );
  const nginx = spawn('nginx', ['-c', conf, '-p', prefix, '-g', 'daemon off; user root;'], {
    stdio: 'ignore',
  });
  await waitForPort('127.0.0.1', port, { timeoutMs: 10_000, child: nginx, what: 'nginx' });
  return {
    url: `wss://127.0.0.1:${port}`,
    pki,
    /** Reloads nginx's configuration and CRL, as an operator does after an update (SIGHUP). */
    async reload() {
      nginx.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 1_000));
    },
    async stop() {
      await stopChild(nginx, 'SIGQUIT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

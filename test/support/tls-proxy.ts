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
  return {
    ca: path.join(dir, 'ca.pem'),
    serverCert: path.join(dir, 'server.pem'),
    serverKey: path.join(dir, 'server.key'),
    /** A station certificate with this CN, issued by the test CA (or self-signed with `rogue`). */
    async station(cn: string, options: { rogue?: boolean } = {}) {
      const name = `${cn}${options.rogue ? '-rogue' : ''}`;
      await ssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        `/CN=${cn}/O=Acme Charging`,
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
    }),
  );
  const nginx = spawn('nginx', ['-c', conf, '-p', prefix, '-g', 'daemon off; user root;'], {
    stdio: 'ignore',
  });
  await waitForPort('127.0.0.1', port, { timeoutMs: 10_000, child: nginx, what: 'nginx' });
  return {
    url: `wss://127.0.0.1:${port}`,
    pki,
    async stop() {
      await stopChild(nginx, 'SIGQUIT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DoppelError } from '../../twins/errors';
import { waitForPort } from '../embedded/child-process';
import {
  startSupervised,
  type SupervisedOptions,
  type SupervisedProcess,
} from './supervised-process';

/** One balanced listener: the address clients use, and the nodes behind it. */
export interface BalancedService {
  /** `gateway`, `api`: the HAProxy frontend/backend name. */
  name: string;
  /** Where it listens (GATEWAY_HOST / API_HOST); the nodes listen on loopback. */
  host: string;
  port: number;
  nodes: Array<{ name: string; port: number }>;
  /** Pass the client's address on in a PROXY protocol v2 header (the gateway reads it). */
  sendProxy: boolean;
}

const HAPROXY_CANDIDATES = ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy'];

/** The HAProxy binary (Debian's `haproxy` package), or a DoppelError saying how to get it. */
export function findHaproxy(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'haproxy'))) return path.join(dir, 'haproxy');
  }
  const found = HAPROXY_CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  throw new DoppelError(
    'deploy:cluster.haproxy-missing',
    'several gateway or API nodes run behind HAProxy, which is not installed: apt-get install haproxy (or set CLUSTER_GATEWAYS=1 and CLUSTER_APIS=1)',
  );
}

/**
 * HAProxy in TCP mode (L4): WebSocket and HTTP connections pass through untouched, long-lived
 * ones are not cut (tunnel timeout), a node that stops accepting is out within a second
 * (health check every 500 ms, out after two failures) and a connection refused by a dead node is retried on another
 * (`option redispatch`), so devices reconnecting after a node dies land on a live one.
 */
export function haproxyConfig(services: BalancedService[]): string {
  const lines = [
    // No maxconn: HAProxy derives it from the open-file limit (two descriptors a connection).
    'global',
    '',
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout client 1h',
    '  timeout server 1h',
    '  timeout tunnel 1h',
    '  timeout client-fin 5s',
    '  retries 3',
    '  option redispatch 1',
    '',
  ];
  for (const service of services) {
    lines.push(
      `frontend ${service.name}`,
      `  bind ${service.host}:${service.port}`,
      `  default_backend ${service.name}-nodes`,
      '',
      `backend ${service.name}-nodes`,
      // Long-lived connections: the node with the fewest takes the next one.
      '  balance leastconn',
      '  default-server inter 500ms fall 2 rise 2',
      ...service.nodes.map(
        (node) =>
          `  server ${node.name} 127.0.0.1:${node.port} check${service.sendProxy ? ' send-proxy-v2 check-send-proxy' : ''}`,
      ),
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Starts HAProxy with the config for `services`; resolves once every frontend listens. */
export async function startBalancer(
  services: BalancedService[],
  stateDir: string,
  supervise: Pick<
    SupervisedOptions,
    'runDir' | 'logDir' | 'onStarted' | 'onUnexpectedExit' | 'restartAfterMs' | 'onRestarted'
  >,
): Promise<SupervisedProcess> {
  const binary = findHaproxy();
  mkdirSync(stateDir, { recursive: true });
  const configFile = path.join(stateDir, 'haproxy.cfg');
  writeFileSync(configFile, haproxyConfig(services));
  const proc = startSupervised({
    ...supervise,
    name: 'balancer',
    command: binary,
    // -db: stay in the foreground; -W: master-worker, stopped by SIGTERM / SIGUSR1.
    args: ['-W', '-db', '-f', configFile],
    graceMs: 5_000,
  });
  try {
    for (const service of services) {
      await waitForPort('127.0.0.1', service.port, {
        timeoutMs: 30_000,
        child: proc.child,
        what: `HAProxy (log: ${proc.logFile})`,
      });
    }
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return proc;
}

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../embedded/child-process';
import type { BalancedService } from './balancer';
import type { Role } from './roles';

export interface ClusterNode {
  role: Role;
  /** `gateway-2`: its process name, log file (logs/<name>.log) and pid file (run/<name>.pid). */
  name: string;
  /** Where it serves (gateway, API); behind the balancer a private loopback port. */
  port?: number;
  /** A gateway's Prometheus endpoint. */
  metricsPort?: number;
}

export interface ClusterTopology {
  nodes: ClusterNode[];
  /** The balancer's listeners when several gateways or APIs run, else null. */
  balanced: BalancedService[] | null;
}

interface TopologyConfig {
  CLUSTER_GATEWAYS: number;
  CLUSTER_WORKERS: number;
  CLUSTER_APIS: number;
  GATEWAY_HOST: string;
  GATEWAY_PORT: number;
  GATEWAY_METRICS_PORT: number;
  API_HOST: string;
  API_PORT: number;
}

/**
 * Which role processes run where. One gateway and one API listen on GATEWAY_PORT / API_PORT
 * themselves; with several of either, HAProxy takes those ports and the nodes listen on
 * private loopback ports (every gateway, and every API, behind it: one kind of path for all).
 */
export async function clusterTopology(config: TopologyConfig): Promise<ClusterTopology> {
  const balancedRoles = config.CLUSTER_GATEWAYS > 1 || config.CLUSTER_APIS > 1;
  const nodes: ClusterNode[] = [];
  for (let i = 1; i <= config.CLUSTER_WORKERS; i++)
    nodes.push({ role: 'worker', name: `worker-${i}` });
  for (let i = 1; i <= config.CLUSTER_GATEWAYS; i++) {
    nodes.push({
      role: 'gateway',
      name: `gateway-${i}`,
      port: balancedRoles ? await freePort() : config.GATEWAY_PORT,
      metricsPort: i === 1 ? config.GATEWAY_METRICS_PORT : await freePort(),
    });
  }
  for (let i = 1; i <= config.CLUSTER_APIS; i++) {
    nodes.push({
      role: 'api',
      name: `api-${i}`,
      port: balancedRoles ? await freePort() : config.API_PORT,
    });
  }
  const behind = (role: Role) =>
    nodes.filter((n) => n.role === role).map((n) => ({ name: n.name, port: n.port! }));
  return {
    nodes,
    balanced: balancedRoles
      ? [
          {
            name: 'gateway',
            host: config.GATEWAY_HOST,
            port: config.GATEWAY_PORT,
            nodes: behind('gateway'),
            sendProxy: true,
          },
          {
            name: 'api',
            host: config.API_HOST,
            port: config.API_PORT,
            nodes: behind('api'),
            sendProxy: false,
          },
        ]
      : null,
  };
}

const topologyFile = (stateDir: string) => path.join(stateDir, 'run', 'topology.json');

/** Written once everything runs: tests, the fault campaign and operators find the nodes here. */
export function writeTopology(stateDir: string, topology: ClusterTopology): void {
  writeFileSync(topologyFile(stateDir), `${JSON.stringify(topology, null, 2)}\n`);
}

export function readTopology(stateDir: string): ClusterTopology {
  return JSON.parse(readFileSync(topologyFile(stateDir), 'utf8')) as ClusterTopology;
}

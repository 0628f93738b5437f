import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

async function isFree(port: number): Promise<boolean> {
  const server = net.createServer();
  server.listen(port, '127.0.0.1');
  const free = await Promise.race([
    once(server, 'listening').then(() => true),
    once(server, 'error').then(() => false),
  ]);
  if (free) {
    server.close();
    await once(server, 'close');
  }
  return free;
}

/**
 * A free port for a Temporal service, below 32768: the server keeps each service's membership
 * port in a SMALLINT column (cluster_membership.rpc_port), so a port the kernel hands out
 * (32768–60999 on Linux) makes it fail at start ("out of range for type smallint"). Below the
 * kernel's range, no outgoing connection takes the port between this check and the bind either.
 */
export async function freeServicePort(taken: Set<number | undefined>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    if (await isFree(port)) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port between 20000 and 32000 for a Temporal service');
}

/**
 * The services' ports of the last start, kept in `file`, where they are still free; new ones
 * otherwise. A member of Temporal's ring is its host:port: on the same ports a restarted service
 * takes its old place, where new ports would leave the old members in the ring until they
 * expire, and the cluster answers "Not enough hosts to serve the request" meanwhile.
 */
export async function keptServicePorts<K extends string>(
  file: string,
  names: readonly K[],
  taken: Set<number | undefined>,
): Promise<Record<K, number>> {
  const kept: Partial<Record<K, number>> = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<K, number>>)
    : {};
  const ports = {} as Record<K, number>;
  for (const name of names) {
    const previous = kept[name];
    ports[name] =
      previous && !taken.has(previous) && (await isFree(previous))
        ? previous
        : await freeServicePort(taken);
    taken.add(ports[name]);
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(ports, null, 2)}\n`);
  return ports;
}

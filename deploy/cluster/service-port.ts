import { once } from 'node:events';
import net from 'node:net';

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
    const server = net.createServer();
    server.listen(port, '127.0.0.1');
    const free = await Promise.race([
      once(server, 'listening').then(() => true),
      once(server, 'error').then(() => false),
    ]);
    if (free) {
      server.close();
      await once(server, 'close');
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port between 20000 and 32000 for a Temporal service');
}

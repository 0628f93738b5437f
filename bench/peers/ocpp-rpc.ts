/**
 * An ocpp-rpc RPCServer with `strictMode: true` (every CALL and answer validated against the
 * OCPP 1.6 JSON schemas bundled with ocpp-rpc) that accepts BootNotification and answers
 * Heartbeat: the peer of Doppel's OCPP endpoint for CALLs that do not touch a twin.
 */
import type { AddressInfo } from 'node:net';
import { RPCServer } from 'ocpp-rpc';
import type { Peer } from './peer';

export async function start(): Promise<Peer> {
  const server = new RPCServer({ protocols: ['ocpp1.6'], strictMode: true });
  server.auth((accept) => accept({}));
  server.on('client', (client: any) => {
    client.handle('BootNotification', () => ({
      status: 'Accepted',
      currentTime: new Date().toISOString(),
      interval: 300,
    }));
    client.handle('Heartbeat', () => ({ currentTime: new Date().toISOString() }));
  });
  const http = await server.listen(0, '127.0.0.1');
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/ocpp/{tenant}/{device}`,
    async stop() {
      await server.close({ force: true });
    },
  };
}

/**
 * aedes (npm), the Node MQTT broker: in-memory persistence, over TCP (`net`) and over
 * WebSocket (`ws` with the `mqtt` subprotocol, the socket wrapped as a stream).
 */
import net from 'node:net';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Peer } from './peer';

export async function start(): Promise<Peer> {
  const broker = await Aedes.createBroker();
  const tcp = net.createServer((socket) => broker.handle(socket));
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
  });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => broker.handle(createWebSocketStream(ws) as never));
  return {
    url: `ws://127.0.0.1:${(wss.address() as net.AddressInfo).port}/mqtt`,
    urls: { tcp: `mqtt://127.0.0.1:${(tcp.address() as net.AddressInfo).port}` },
    async stop() {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
      await new Promise((r) => tcp.close(r));
      await new Promise((r) => broker.close(() => r(null)));
    },
  };
}

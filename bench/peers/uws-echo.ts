/**
 * A bare uWebSockets.js server that acknowledges every native-JSON message without doing any
 * work: the seq is read by a byte scan (no JSON.parse) and `{"type":"ack","seq":n}` sent back.
 * It is the ceiling for "one JS callback per message" on uWS; `hello` gets a welcome.
 */
import { loadNativeUws } from '../../gateway/uws';
import type { Peer } from './peer';

const SEQ = Buffer.from('"seq":');

export async function start(): Promise<Peer> {
  const { uws } = loadNativeUws();
  const app = uws.App();
  app.ws('/*', {
    maxPayloadLength: 64 * 1024,
    idleTimeout: 120,
    message: (ws, data) => {
      const bytes = Buffer.from(data);
      let i = bytes.indexOf(SEQ) + SEQ.length;
      while (bytes[i] === 32) i++;
      let seq = 0;
      for (; i < bytes.length && bytes[i]! >= 48 && bytes[i]! <= 57; i++)
        seq = seq * 10 + bytes[i]! - 48;
      ws.send(
        seq === 1 ? '{"type":"welcome","seq":1,"session":"echo"}' : `{"type":"ack","seq":${seq}}`,
      );
    },
  });
  const listen = await new Promise<unknown>((resolve, reject) =>
    app.listen('127.0.0.1', 0, (t) => (t ? resolve(t) : reject(new Error('listen failed')))),
  );
  const port = uws.us_socket_local_port(listen as never);
  return {
    url: `ws://127.0.0.1:${port}/device`,
    async stop() {
      uws.us_listen_socket_close(listen as never);
    },
  };
}

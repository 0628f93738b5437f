import type { DeviceLogSink } from '../device-log-sink';
import { countCut, uwsPayloadLimit } from '../message-limits';
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import { refusedLockedSource, sourceAddress } from '../source-address';
import type { DeviceLinks } from '../device-links';
import { MqttSession } from './mqtt-session';
import { WsClose, type SessionHost } from './session-host';

export interface MqttEndpointOptions {
  links: DeviceLinks;
  /** Where log-topic lines go. */
  logs: DeviceLogSink;
  /** How long a new connection may take to send CONNECT. */
  connectTimeoutMs: number;
  /** Largest MQTT packet, and largest WebSocket frame, accepted (MQTT 5 Maximum Packet Size). */
  maxPacketBytes: number;
  /** Seconds without any frame or pong before uWS drops the socket (uWS: ≥ 8). */
  idleTimeoutS: number;
  /** QoS 1 publishes in flight per connection (MQTT 5 Receive Maximum); default 32. */
  receiveMaximum?: number;
  /** Topic aliases a client may set (MQTT 5 Topic Alias Maximum); default 16. */
  topicAliasMaximum?: number;
  /** TLS terminators whose X-Forwarded-For names the client's address. */
  trustedProxies: readonly string[];
}

interface Connection {
  session: MqttSession | null;
  closed: boolean;
  source: string;
}

const SUBPROTOCOL = 'mqtt';

/** A close frame's reason has room for 123 bytes. */
function fitReason(reason: string): string {
  let short = reason;
  while (Buffer.byteLength(short) > 120) short = short.slice(0, -1);
  return short;
}

/** MQTT 3.1.1 and 5 over WebSocket at `/mqtt` (docs/mqtt.md). */
export function mountMqttEndpoint(
  app: TemplatedApp,
  opts: MqttEndpointOptions,
): { closeAll(code: number, reason: string): void } {
  const sockets = new Set<WebSocket<Connection>>();
  /** Sessions by client id (`<tenant>/<device>`): a second CONNECT for one takes it over. */
  const byClientId = new Map<string, MqttSession>();
  const host: SessionHost<MqttSession> = {
    links: opts.links,
    logs: opts.logs,
    connectTimeoutMs: opts.connectTimeoutMs,
    limits: {
      maxPacketBytes: opts.maxPacketBytes,
      receiveMaximum: opts.receiveMaximum ?? 32,
      topicAliasMaximum: opts.topicAliasMaximum ?? 16,
    },
    claim(clientId, session) {
      const previous = byClientId.get(clientId);
      byClientId.set(clientId, session);
      return previous === session ? undefined : previous;
    },
    release(clientId, session) {
      if (byClientId.get(clientId) === session) byClientId.delete(clientId);
    },
  };

  app.ws<Connection>('/mqtt', {
    // A packet over the limit is the session's to refuse (DISCONNECT 0x95 first with MQTT 5).
    maxPayloadLength: uwsPayloadLimit(opts.maxPacketBytes),
    idleTimeout: opts.idleTimeoutS,
    // A device that does not read its answers is closed rather than silently skipped.
    maxBackpressure: 1024 * 1024,
    closeOnBackpressureLimit: true, // typed as a number by the package; read as a flag
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      // MQTT over WebSocket requires the "mqtt" subprotocol (MQTT 5 spec 6.0): without it the
      // peer is not an MQTT client, and the handshake is refused before any upgrade.
      const offered = req
        .getHeader('sec-websocket-protocol')
        .split(',')
        .map((p) => p.trim());
      if (!offered.includes(SUBPROTOCOL)) {
        opts.links.refuse('mqtt', 'gateway:mqtt.subprotocol-missing');
        res.writeStatus('400 Bad Request').end('MQTT over WebSocket needs the "mqtt" subprotocol');
        return;
      }
      const source = sourceAddress(res, req, opts.trustedProxies);
      if (refusedLockedSource(res, opts.links, 'mqtt', source)) return;
      // A reconnect storm is let in at the gateway's steady rate (gateway/admission.ts).
      if (!opts.links.admit()) {
        opts.links.refuse('mqtt', 'gateway:admission.rate-limited');
        res
          .writeStatus('503 Service Unavailable')
          .writeHeader('Retry-After', '1')
          .end('too many new connections; retry shortly');
        return;
      }
      res.upgrade<Connection>(
        { session: null, closed: false, source },
        req.getHeader('sec-websocket-key'),
        SUBPROTOCOL,
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open: (ws) => {
      sockets.add(ws);
      const conn = ws.getUserData();
      conn.session = new MqttSession(host, {
        source: conn.source,
        send: (bytes) => {
          if (!conn.closed) ws.cork(() => ws.send(bytes, true));
        },
        end: (code, reason) => {
          if (!conn.closed) ws.end(code, fitReason(reason));
        },
      });
    },
    message: (ws, data, isBinary) => {
      const conn = ws.getUserData();
      // MQTT travels in binary frames only (spec 6.0): anything else ends the connection.
      if (!isBinary) {
        opts.links.refuse('mqtt', 'gateway:mqtt.text-frame');
        return ws.end(WsClose.unsupportedData, 'MQTT needs binary frames');
      }
      // uWS reuses the frame's memory after this call; the streaming parser may keep the bytes.
      conn.session?.frame(Buffer.from(new Uint8Array(data)));
    },
    close: (ws, code, reason) => {
      sockets.delete(ws);
      countCut(opts.links, 'mqtt', code, reason);
      const conn = ws.getUserData();
      conn.closed = true;
      conn.session?.closed();
    },
  });
  return {
    closeAll: (code, reason) => {
      for (const ws of [...sockets]) {
        const { session } = ws.getUserData();
        if (session) session.shutdown(code, reason);
        else ws.end(code, reason);
      }
    },
  };
}

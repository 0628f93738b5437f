import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { DeviceCommand, OfflineReason } from '../../twins/device';
import type { DeviceKey } from '../../twins/ids';
import type { TwinInbox } from '../twin-inbox';
import { CloseCode, type DeviceMessage, type GatewayMessage } from './messages';
import { parseDeviceMessage } from './parse-device-message';

type Hello = Extract<DeviceMessage, { type: 'hello' }>;
type Report = Extract<DeviceMessage, { type: 'report' }>;

export interface DeviceEndpointOptions {
  nodeId: string;
  inbox: TwinInbox;
  /** The device's model when the device exists, is not revoked and the token matches; else false. */
  authenticate(key: DeviceKey, token: string): Promise<{ model: string | null } | false>;
  /** Reads a report in the terms of the device's profile: canonical names and units, flags. */
  normalise(
    key: DeviceKey,
    model: string | null,
    state: Record<string, unknown>,
  ): Promise<{ state: Record<string, unknown>; flags: Record<string, string> }>;
  logger: Logger;
  helloTimeoutMs: number;
  maxPayloadBytes: number;
  /** Seconds without a message or pong before the gateway closes the connection (uWS: ≥ 8). */
  idleTimeoutS: number;
  /** Open sockets by session id: for shutdown and for commands from twins. */
  sessions: Map<string, WebSocket<Connection>>;
}

export interface Connection {
  phase: 'awaiting-hello' | 'authenticating' | 'ready' | 'closed';
  key: DeviceKey | null;
  model: string | null;
  sessionId: string;
  logger: Logger | null;
  helloTimer: NodeJS.Timeout | null;
  /** Reports of one connection are handled in order, whatever their normalisation costs. */
  chain: Promise<void>;
  /** Last message or pong from the device (ms): tells a missed heartbeat from a dropped link. */
  lastHeard: number;
}

/** uWS checks timeouts every few seconds: an abnormal close this near the idle timeout after the last word is a missed heartbeat. */
const TIMEOUT_GRANULARITY_MS = 4_000;

/** Re-reads the phase after an await: the socket may have closed meanwhile. */
const isClosed = (conn: Connection) => conn.phase === 'closed';
const now = () => new Date().toISOString();

/** The native JSON protocol at `/device` (docs/device-protocol.md). */
export function mountDeviceEndpoint(app: TemplatedApp, opts: DeviceEndpointOptions): void {
  const send = (ws: WebSocket<Connection>, message: GatewayMessage) => {
    if (!isClosed(ws.getUserData())) ws.cork(() => ws.send(JSON.stringify(message)));
  };
  const fail = (
    ws: WebSocket<Connection>,
    error: GatewayMessage & { type: 'error' },
    close?: number,
  ) => {
    send(ws, error);
    if (close && !isClosed(ws.getUserData())) ws.end(close, error.code);
  };
  const unavailable = (seq: number, message: string): GatewayMessage & { type: 'error' } => ({
    type: 'error',
    seq,
    code: 'gateway:twin.unavailable',
    message,
  });

  const hello = async (ws: WebSocket<Connection>, msg: Hello) => {
    const conn = ws.getUserData();
    conn.phase = 'authenticating';
    const key = { tenantId: msg.tenant, deviceId: msg.device };
    const admitted = await opts.authenticate(key, msg.token).catch((error: unknown) => {
      opts.logger.error({ err: error }, 'device authentication failed');
      return false as const;
    });
    if (isClosed(conn)) return;
    if (!admitted) {
      const refused = {
        type: 'error',
        seq: msg.seq,
        code: 'gateway:auth.refused',
        message: 'unknown device or wrong token',
      } as const;
      return fail(ws, refused, CloseCode.unauthorized);
    }
    conn.key = key;
    conn.model = msg.model ?? admitted.model;
    conn.logger = opts.logger.child({
      tenant: key.tenantId,
      device: key.deviceId,
      session: conn.sessionId,
    });
    const connect: DeviceCommand = {
      type: 'connect',
      at: now(),
      sessionId: conn.sessionId,
      gatewayNode: opts.nodeId,
      seq: msg.seq,
      ...(msg.model ? { model: msg.model } : {}),
      ...(msg.firmware ? { firmware: msg.firmware } : {}),
    };
    try {
      await opts.inbox.submit(key, connect);
    } catch (error) {
      conn.logger.error({ err: error }, 'twin did not accept the connection');
      return fail(ws, unavailable(msg.seq, 'try again later'), CloseCode.goingAway);
    }
    if (isClosed(conn)) return void disconnect(conn);
    conn.phase = 'ready';
    conn.logger.info('device connected');
    send(ws, { type: 'welcome', seq: msg.seq, session: conn.sessionId });
  };

  /**
   * Normalises in arrival order, then hands the report to the twin inbox without waiting for
   * the previous one to be accepted: reports of a chatty device coalesce into one signal.
   */
  const report = (ws: WebSocket<Connection>, msg: Report) => {
    const conn = ws.getUserData();
    const key = conn.key!;
    const rejected = (error: unknown) => {
      conn.logger?.error({ err: error, seq: msg.seq }, 'twin did not accept the message');
      send(ws, unavailable(msg.seq, 'not stored; send it again'));
    };
    conn.chain = conn.chain.then(async () => {
      try {
        const { state, flags } = await opts.normalise(key, conn.model, msg.state);
        const command: DeviceCommand = {
          type: 'report',
          at: now(),
          sessionId: conn.sessionId,
          seq: msg.seq,
          state,
          flags,
        };
        opts.inbox
          .submit(key, command)
          .then(() => send(ws, { type: 'ack', seq: msg.seq }), rejected);
      } catch (error) {
        rejected(error);
      }
    });
  };

  const disconnect = (conn: Connection, reason: OfflineReason = 'disconnected') => {
    if (!conn.key) return;
    const command: DeviceCommand = {
      type: 'disconnect',
      at: now(),
      sessionId: conn.sessionId,
      reason,
    };
    opts.inbox
      .submit(conn.key, command)
      .catch((error) => conn.logger?.error({ err: error }, 'disconnect not recorded'));
  };

  app.ws<Connection>('/device', {
    maxPayloadLength: opts.maxPayloadBytes,
    idleTimeout: opts.idleTimeoutS,
    // A device that does not read its answers is closed rather than silently skipped.
    maxBackpressure: 1024 * 1024,
    closeOnBackpressureLimit: 1, // typed as a number by the package; read as a flag
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      const conn: Connection = {
        phase: 'awaiting-hello',
        key: null,
        model: null,
        sessionId: randomUUID(),
        logger: null,
        helloTimer: null,
        chain: Promise.resolve(),
        lastHeard: Date.now(),
      };
      res.upgrade<Connection>(
        conn,
        req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'),
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open: (ws) => {
      const conn = ws.getUserData();
      opts.sessions.set(conn.sessionId, ws);
      conn.helloTimer = setTimeout(() => {
        if (conn.phase !== 'awaiting-hello') return;
        const timeout = {
          type: 'error',
          code: 'gateway:json.hello-timeout',
          message: `no hello within ${opts.helloTimeoutMs} ms`,
        } as const;
        fail(ws, timeout, CloseCode.helloTimeout);
      }, opts.helloTimeoutMs);
    },
    pong: (ws) => {
      ws.getUserData().lastHeard = Date.now();
    },
    message: (ws, data, isBinary) => {
      const conn = ws.getUserData();
      conn.lastHeard = Date.now();
      const parsed = parseDeviceMessage(data, isBinary);
      const beforeHello = conn.phase === 'awaiting-hello';
      if (!parsed.ok)
        return fail(ws, parsed.error, beforeHello && !isBinary ? CloseCode.badHello : undefined);
      const msg = parsed.message;
      if (msg.type === 'hello') {
        if (!beforeHello) {
          return fail(ws, {
            type: 'error',
            seq: msg.seq,
            code: 'gateway:json.duplicate-hello',
            message: 'hello was already sent on this connection',
          });
        }
        if (conn.helloTimer) clearTimeout(conn.helloTimer);
        return void hello(ws, msg);
      }
      if (beforeHello) {
        return fail(
          ws,
          {
            type: 'error',
            seq: msg.seq,
            code: 'gateway:json.hello-required',
            message: 'the first message must be hello',
          },
          CloseCode.badHello,
        );
      }
      if (conn.phase !== 'ready') {
        return fail(ws, {
          type: 'error',
          seq: msg.seq,
          code: 'gateway:json.not-ready',
          message: 'wait for welcome before reporting',
        });
      }
      report(ws, msg);
    },
    close: (ws, code) => {
      const conn = ws.getUserData();
      opts.sessions.delete(conn.sessionId);
      if (conn.helloTimer) clearTimeout(conn.helloTimer);
      const wasReady = conn.phase === 'ready';
      conn.phase = 'closed';
      if (wasReady) {
        // 1006: closed without a close frame; silent for the whole idle timeout means the heartbeat stopped.
        const silent =
          code === 1006 &&
          Date.now() - conn.lastHeard >= opts.idleTimeoutS * 1000 - TIMEOUT_GRANULARITY_MS;
        conn.logger?.info({ code, silent }, 'device disconnected');
        disconnect(conn, silent ? 'heartbeat-missed' : 'disconnected');
      }
    },
  });
}

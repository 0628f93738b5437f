import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { DeviceCommand } from '../../twins/device';
import { DoppelError } from '../../twins/errors';
import type { DeviceKey } from '../../twins/ids';
import type { TwinInbox } from '../twin-inbox';
import { CloseCode, deviceMessage, type GatewayMessage } from './messages';

export interface DeviceEndpointOptions {
  nodeId: string;
  inbox: TwinInbox;
  /** True when the device exists, is not revoked and the token matches. */
  authenticate(key: DeviceKey, token: string): Promise<boolean>;
  logger: Logger;
  helloTimeoutMs: number;
  maxPayloadBytes: number;
  /** Open sockets by session id: for shutdown and for commands from twins. */
  sessions: Map<string, WebSocket<Connection>>;
}

export interface Connection {
  phase: 'awaiting-hello' | 'authenticating' | 'ready' | 'closed';
  key: DeviceKey | null;
  sessionId: string;
  logger: Logger | null;
  helloTimer: NodeJS.Timeout | null;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The native JSON protocol at `/device` (docs/device-protocol.md). */
export function mountDeviceEndpoint(app: TemplatedApp, opts: DeviceEndpointOptions): void {
  const send = (ws: WebSocket<Connection>, message: GatewayMessage) => {
    if (ws.getUserData().phase !== 'closed') ws.cork(() => ws.send(JSON.stringify(message)));
  };
  const fail = (
    ws: WebSocket<Connection>,
    message: GatewayMessage & { type: 'error' },
    close?: number,
  ) => {
    send(ws, message);
    if (close && ws.getUserData().phase !== 'closed') ws.end(close, message.code);
  };

  const deliver = async (
    ws: WebSocket<Connection>,
    command: DeviceCommand,
    seq: number,
    answer: GatewayMessage,
  ) => {
    const conn = ws.getUserData();
    try {
      await opts.inbox.submit(conn.key!, command);
      send(ws, answer);
    } catch (error) {
      conn.logger?.error({ err: error, seq }, 'twin did not accept the message');
      send(ws, {
        type: 'error',
        seq,
        code: 'gateway:twin.unavailable',
        message: 'not stored; send it again',
      });
    }
  };

  const hello = async (
    ws: WebSocket<Connection>,
    msg: Extract<ReturnType<typeof deviceMessage.parse>, { type: 'hello' }>,
  ) => {
    const conn = ws.getUserData();
    conn.phase = 'authenticating';
    const key = { tenantId: msg.tenant, deviceId: msg.device };
    let admitted = false;
    try {
      admitted = await opts.authenticate(key, msg.token);
    } catch (error) {
      opts.logger.error({ err: error }, 'device authentication failed');
    }
    if (isClosed(conn)) return;
    if (!admitted) {
      return fail(
        ws,
        {
          type: 'error',
          seq: msg.seq,
          code: 'gateway:auth.refused',
          message: 'unknown device or wrong token',
        },
        CloseCode.unauthorized,
      );
    }
    conn.key = key;
    conn.logger = opts.logger.child({
      tenant: key.tenantId,
      device: key.deviceId,
      session: conn.sessionId,
    });
    const connect: DeviceCommand = {
      type: 'connect',
      at: new Date().toISOString(),
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
      return fail(
        ws,
        {
          type: 'error',
          seq: msg.seq,
          code: 'gateway:twin.unavailable',
          message: 'try again later',
        },
        CloseCode.goingAway,
      );
    }
    if (isClosed(conn)) return void disconnect(conn);
    conn.phase = 'ready';
    conn.logger.info('device connected');
    send(ws, { type: 'welcome', seq: msg.seq, session: conn.sessionId });
  };

  const disconnect = (conn: Connection) => {
    if (!conn.key) return;
    const command: DeviceCommand = {
      type: 'disconnect',
      at: new Date().toISOString(),
      sessionId: conn.sessionId,
      reason: 'disconnected',
    };
    opts.inbox
      .submit(conn.key, command)
      .catch((error) => conn.logger?.error({ err: error }, 'disconnect not recorded'));
  };

  app.ws<Connection>('/device', {
    maxPayloadLength: opts.maxPayloadBytes,
    idleTimeout: 120,
    // A device that does not read its answers is closed rather than silently skipped.
    maxBackpressure: 1024 * 1024,
    closeOnBackpressureLimit: 1, // typed as a number by the package; read as a flag
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      res.upgrade<Connection>(
        {
          phase: 'awaiting-hello',
          key: null,
          sessionId: randomUUID(),
          logger: null,
          helloTimer: null,
        },
        req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'),
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open: (ws) => {
      opts.sessions.set(ws.getUserData().sessionId, ws);
      const conn = ws.getUserData();
      conn.helloTimer = setTimeout(() => {
        if (conn.phase === 'awaiting-hello') {
          fail(
            ws,
            {
              type: 'error',
              code: 'gateway:json.hello-timeout',
              message: `no hello within ${opts.helloTimeoutMs} ms`,
            },
            CloseCode.helloTimeout,
          );
        }
      }, opts.helloTimeoutMs);
    },
    message: (ws, data, isBinary) => {
      const conn = ws.getUserData();
      let text: string;
      try {
        if (isBinary)
          throw new DoppelError('gateway:json.binary-frame', 'send JSON in text frames');
        text = decoder.decode(data);
      } catch (error) {
        // uWS validates UTF-8 of text frames itself; what reaches here is a binary frame.
        const code = error instanceof DoppelError ? error.code : 'gateway:json.invalid-utf8';
        return fail(ws, {
          type: 'error',
          code,
          message: 'messages are JSON objects in text frames',
        });
      }
      let parsed: ReturnType<typeof deviceMessage.safeParse>;
      try {
        parsed = deviceMessage.safeParse(JSON.parse(text));
      } catch {
        return fail(
          ws,
          { type: 'error', code: 'gateway:json.malformed', message: 'not valid JSON' },
          conn.phase === 'awaiting-hello' ? CloseCode.badHello : undefined,
        );
      }
      if (!parsed.success) {
        const seq = seqOf(text);
        const detail = parsed.error.issues
          .map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`)
          .join('; ');
        return fail(
          ws,
          {
            type: 'error',
            ...(seq ? { seq } : {}),
            code: 'gateway:json.invalid-message',
            message: detail,
          },
          conn.phase === 'awaiting-hello' ? CloseCode.badHello : undefined,
        );
      }
      const msg = parsed.data;
      if (msg.type === 'hello') {
        if (conn.phase !== 'awaiting-hello') {
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
      if (conn.phase === 'awaiting-hello') {
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
      const report: DeviceCommand = {
        type: 'report',
        at: new Date().toISOString(),
        sessionId: conn.sessionId,
        seq: msg.seq,
        state: msg.state,
      };
      void deliver(ws, report, msg.seq, { type: 'ack', seq: msg.seq });
    },
    close: (ws) => {
      const conn = ws.getUserData();
      opts.sessions.delete(conn.sessionId);
      if (conn.helloTimer) clearTimeout(conn.helloTimer);
      const wasReady = conn.phase === 'ready';
      conn.phase = 'closed';
      if (wasReady) {
        conn.logger?.info('device disconnected');
        disconnect(conn);
      }
    },
  });
}

/** Re-reads the phase after an await: the socket may have closed meanwhile. */
function isClosed(conn: Connection): boolean {
  return conn.phase === 'closed';
}

/** The `seq` of a message that failed validation, when it has a usable one. */
function seqOf(text: string): number | undefined {
  try {
    const seq = (JSON.parse(text) as { seq?: unknown }).seq;
    return typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
  } catch {
    return undefined;
  }
}

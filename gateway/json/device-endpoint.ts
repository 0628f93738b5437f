import {
  countCut,
  MESSAGE_TOO_BIG,
  TOO_LARGE,
  tooLargeReason,
  uwsPayloadLimit,
} from '../message-limits';
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import { refusedLockedSource, sourceAddress } from '../source-address';
import { DoppelError } from '../../twins/errors';
import type { DeviceLink, DeviceLinks, SessionControl } from '../device-links';
import { CloseCode, type DeviceMessage, type GatewayMessage } from './messages';
import { parseDeviceMessage } from './parse-device-message';
import { jsonCommand } from './firmware-update';
import { PendingCommands } from './pending-commands';
import type { DeviceLogSink } from '../device-log-sink';

type Hello = Extract<DeviceMessage, { type: 'hello' }>;
type ErrorMessage = GatewayMessage & { type: 'error' };

export interface DeviceEndpointOptions {
  links: DeviceLinks;
  helloTimeoutMs: number;
  maxPayloadBytes: number;
  /** Seconds without a message or pong before the gateway closes the connection (uWS: ≥ 8). */
  idleTimeoutS: number;
  /** TLS terminators whose X-Forwarded-For names the device's address. */
  trustedProxies: readonly string[];
  /** Where `log` messages go (batched, rate-limited per device). */
  logs: DeviceLogSink;
}

export interface Connection {
  /** The device's address (failed logins are counted per address too). */
  source: string;
  phase: 'awaiting-hello' | 'authenticating' | 'ready' | 'closed';
  link: DeviceLink | null;
  helloTimer: NodeJS.Timeout | null;
  /** Last message or pong from the device (ms): tells a missed heartbeat from a dropped link. */
  lastHeard: number;
  commands: PendingCommands;
}

/** uWS checks timeouts every few seconds: an abnormal close this near the idle timeout after the last word is a missed heartbeat. */
const TIMEOUT_GRANULARITY_MS = 4_000;

/** Re-reads the phase after an await: the socket may have closed meanwhile. */
const isClosed = (conn: Connection) => conn.phase === 'closed';

const sendTo = (ws: WebSocket<Connection>, message: GatewayMessage) => {
  const conn = ws.getUserData();
  if (isClosed(conn)) return;
  const text = JSON.stringify(message);
  conn.link?.sent(Buffer.byteLength(text));
  ws.cork(() => ws.send(text));
};

/**
 * What the twin may do to a JSON connection. A class, not an object of arrow functions: an
 * idle connection keeps its control for as long as it lives, and every function made per
 * connection costs a closure, its context and (named, as tsx names them) a property
 * dictionary — ~900 bytes for three (docs/scaling.md, "memory per idle connection").
 */
class JsonSessionControl implements SessionControl {
  constructor(private readonly ws: WebSocket<Connection>) {}

  close(code: number, reason: string): void {
    if (!isClosed(this.ws.getUserData())) this.ws.end(code, reason);
  }

  pushDesired(version: number, state: Record<string, unknown>): void {
    sendTo(this.ws, { type: 'desired', version, state });
  }

  command(name: string, params: Record<string, unknown>, timeoutMs: number) {
    return this.ws
      .getUserData()
      .commands.send(
        (id) => sendTo(this.ws, { type: 'command', id, ...jsonCommand(name, params) }),
        timeoutMs,
      );
  }
}

/** The native JSON protocol at `/device` (docs/device-protocol.md). */
export function mountDeviceEndpoint(
  app: TemplatedApp,
  opts: DeviceEndpointOptions,
): { closeAll(code: number, reason: string): void } {
  const { links } = opts;
  const sockets = new Set<WebSocket<Connection>>();
  const send = sendTo;
  const fail = (ws: WebSocket<Connection>, error: ErrorMessage, close?: number) => {
    links.refuse('json', error.code);
    send(ws, error);
    if (close && !isClosed(ws.getUserData())) ws.end(close, error.code);
  };
  const error = (code: string, message: string, seq?: number): ErrorMessage => ({
    type: 'error',
    ...(seq ? { seq } : {}),
    code,
    message,
  });

  const hello = async (ws: WebSocket<Connection>, msg: Hello) => {
    const conn = ws.getUserData();
    conn.phase = 'authenticating';
    const key = { tenantId: msg.tenant, deviceId: msg.device };
    const lockedMs = links.loginLockedFor(key, conn.source);
    if (lockedMs > 0) {
      const wait = Math.ceil(lockedMs / 1000);
      const locked = error(
        'gateway:auth.locked',
        `too many failed logins; retry in ${wait} s`,
        msg.seq,
      );
      return fail(ws, locked, CloseCode.tryAgainLater);
    }
    // A claim (first connect of a provisioned device) turns into the device's own secret.
    const claimed = msg.claim !== undefined ? await links.claimOrRefusal(key, msg.claim) : null;
    if (isClosed(conn)) return;
    if (claimed && 'refused' in claimed) {
      links.loginFailed(key, conn.source, claimed.refused);
      return fail(ws, error(claimed.refused, claimed.message, msg.seq), CloseCode.unauthorized);
    }
    const token = claimed ? claimed.secret : msg.token!;
    const admitted = await links.authenticate(key, token);
    if (isClosed(conn)) return;
    if (!admitted) {
      links.loginFailed(key, conn.source);
      return fail(
        ws,
        error('gateway:auth.refused', 'unknown device or wrong token', msg.seq),
        CloseCode.unauthorized,
      );
    }
    links.loginSucceeded(key);
    let link: DeviceLink;
    try {
      link = await links.open({
        key,
        model: msg.model ?? admitted.model,
        firmware: msg.firmware,
        seq: msg.seq,
        protocol: 'json',
        control: new JsonSessionControl(ws),
      });
    } catch (err) {
      if (err instanceof DoppelError && err.code === 'gateway:admission.flapping') {
        return fail(ws, error(err.code, err.message, msg.seq), CloseCode.tryAgainLater);
      }
      opts.links.logger.error({ err }, 'twin did not accept the connection');
      return fail(
        ws,
        error('gateway:twin.unavailable', 'try again later', msg.seq),
        CloseCode.goingAway,
      );
    }
    if (isClosed(conn)) return link.close('disconnected');
    conn.link = link;
    conn.phase = 'ready';
    send(ws, {
      type: 'welcome',
      seq: msg.seq,
      session: link.sessionId,
      ...(msg.claim !== undefined ? { credentials: { token } } : {}),
    });
  };

  app.ws<Connection>('/device', {
    maxPayloadLength: uwsPayloadLimit(opts.maxPayloadBytes),
    idleTimeout: opts.idleTimeoutS,
    // A device that does not read its answers is closed rather than silently skipped.
    maxBackpressure: 1024 * 1024,
    closeOnBackpressureLimit: true, // typed as a number by the package; read as a flag
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      if (!links.admit()) {
        links.refuse('json', 'gateway:admission.rate-limited');
        res
          .writeStatus('503 Service Unavailable')
          .writeHeader('Retry-After', '1')
          .end('too many new connections; retry shortly');
        return;
      }
      const source = sourceAddress(res, req, opts.trustedProxies);
      if (refusedLockedSource(res, links, 'json', source)) return;
      const conn: Connection = {
        source,
        phase: 'awaiting-hello',
        link: null,
        helloTimer: null,
        lastHeard: Date.now(),
        commands: new PendingCommands(),
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
      sockets.add(ws);
      const conn = ws.getUserData();
      conn.helloTimer = setTimeout(() => {
        if (conn.phase !== 'awaiting-hello') return;
        fail(
          ws,
          error('gateway:json.hello-timeout', `no hello within ${opts.helloTimeoutMs} ms`),
          CloseCode.helloTimeout,
        );
      }, opts.helloTimeoutMs);
    },
    pong: (ws) => {
      ws.getUserData().lastHeard = Date.now();
    },
    message: (ws, data, isBinary) => {
      const conn = ws.getUserData();
      conn.lastHeard = Date.now();
      conn.link?.received(data.byteLength);
      if (data.byteLength > opts.maxPayloadBytes)
        return fail(ws, error(TOO_LARGE, tooLargeReason(opts.maxPayloadBytes)), MESSAGE_TOO_BIG);
      const parsed = parseDeviceMessage(data, isBinary);
      const beforeHello = conn.phase === 'awaiting-hello';
      if (!parsed.ok)
        return fail(ws, parsed.error, beforeHello && !isBinary ? CloseCode.badHello : undefined);
      const msg = parsed.message;
      if (msg.type === 'hello') {
        if (!beforeHello)
          return fail(
            ws,
            error(
              'gateway:json.duplicate-hello',
              'hello was already sent on this connection',
              msg.seq,
            ),
          );
        if (conn.helloTimer) clearTimeout(conn.helloTimer);
        // An idle connection keeps no timer object.
        conn.helloTimer = null;
        return void hello(ws, msg);
      }
      if (beforeHello) {
        return fail(
          ws,
          error('gateway:json.hello-required', 'the first message must be hello', msg.seq),
          CloseCode.badHello,
        );
      }
      if (conn.phase !== 'ready' || !conn.link) {
        return fail(
          ws,
          error('gateway:json.not-ready', 'wait for welcome before reporting', msg.seq),
        );
      }
      const link = conn.link;
      if (msg.type === 'command-result') {
        if (!conn.commands.answer(msg.id, msg.status, msg.result)) {
          return fail(
            ws,
            error(
              'gateway:json.unknown-command',
              `no command ${msg.id} is waiting for an answer`,
              msg.seq,
            ),
          );
        }
        return send(ws, { type: 'ack', seq: msg.seq });
      }
      if (msg.type === 'log') {
        return void opts.logs.write(link.key, 'json', msg.lines).then(
          ({ dropped }) => send(ws, { type: 'ack', seq: msg.seq, ...(dropped ? { dropped } : {}) }),
          (err: unknown) => {
            link.logger.error({ err, seq: msg.seq }, 'log lines not stored');
            send(ws, error('gateway:logs.unavailable', 'not stored; send it again', msg.seq));
          },
        );
      }
      const stored =
        msg.type === 'telemetry' ? link.telemetry(msg.samples) : link.report(msg.seq, msg.state);
      stored.then(
        () => send(ws, { type: 'ack', seq: msg.seq }),
        (err: unknown) => {
          link.logger.error({ err, seq: msg.seq }, 'twin did not accept the message');
          send(ws, error('gateway:twin.unavailable', 'not stored; send it again', msg.seq));
        },
      );
    },
    close: (ws, code, reason) => {
      sockets.delete(ws);
      countCut(links, 'json', code, reason);
      const conn = ws.getUserData();
      if (conn.helloTimer) clearTimeout(conn.helloTimer);
      conn.phase = 'closed';
      conn.commands.closeAll();
      // 1006: closed without a close frame; silent for the whole idle timeout means the heartbeat stopped.
      const silent =
        code === 1006 &&
        Date.now() - conn.lastHeard >= opts.idleTimeoutS * 1000 - TIMEOUT_GRANULARITY_MS;
      conn.link?.close(silent ? 'heartbeat-missed' : 'disconnected');
    },
  });
  return {
    closeAll: (code, reason) => {
      for (const ws of [...sockets]) {
        ws.getUserData().link?.closedByServer();
        ws.end(code, reason);
      }
    },
  };
}

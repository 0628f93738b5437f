import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { Egress } from '../../outbound/egress';
import type { OcppBackend } from '../../twins/routing';
import type { OcppVersion } from '../ocpp/ocpp-version';
import { ServerCalls, type CallOutcome } from '../ocpp/server-calls';

export interface UpstreamLinkOptions {
  backend: OcppBackend;
  /** Where a backend's URL may lead: a private address is refused like a failed connection. */
  egress: Egress;
  /** The station's identity: the last path segment upstream, and the Basic-auth user. */
  identity: string;
  version: OcppVersion;
  logger: Logger;
  /** How long an upstream CALL may stay unanswered before the next one goes (ms). */
  callTimeoutMs: number;
  /** A CALL the backend sends to the station; resolves with the station's answer. */
  onCall(action: string, payload: Record<string, unknown>): Promise<CallOutcome>;
  /** The station's last BootNotification, told first on a connection opened after the boot. */
  lastBoot(): Record<string, unknown> | null;
  /** Metrics hooks: a message answered upstream, dropped from a full buffer, buffer depth. */
  counted(outcome: 'delivered' | 'dropped' | 'replayed'): void;
  buffered(delta: number): void;
}

const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 15_000;
const HANDSHAKE_TIMEOUT_MS = 5_000;

/**
 * One station's WebSocket to one upstream OCPP backend. The station's CALLs go up in order,
 * one outstanding at a time (OCPP-J's rule holds on this leg too); while the backend cannot
 * be reached they wait in a bounded buffer and are replayed in order once it can. The
 * backend's own CALLs are handed to `onCall` (the router's allow-list and the station's
 * single server-call queue).
 */
export class UpstreamLink {
  private socket: WebSocket | null = null;
  private closed = false;
  private readonly calls: ServerCalls;
  private attempt = 0;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly opts: UpstreamLinkOptions) {
    this.calls = new ServerCalls(
      (frame) => this.socket?.send(JSON.stringify(frame)),
      opts.callTimeoutMs,
      {
        limit: opts.backend.bufferLimit,
        onDepth: (delta) => opts.buffered(delta),
        onSettled: (resent) => opts.counted(resent ? 'replayed' : 'delivered'),
        onDropped: () => opts.counted('dropped'),
      },
    );
    this.connect();
  }

  get backendId(): string {
    return this.opts.backend.id;
  }

  /** Queues a station CALL; resolves with the backend's answer, never rejects. */
  send(action: string, payload: Record<string, unknown>): Promise<CallOutcome> {
    return this.calls.call(action, payload);
  }

  /** The station is gone or the backend was removed: the link closes, pending calls end. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.calls.stop();
    this.socket?.close(1000, 'station disconnected');
    this.socket = null;
  }

  private connect(): void {
    if (this.closed) return;
    const { backend, identity, version, logger } = this.opts;
    const headers: Record<string, string> = {};
    if (backend.secret)
      headers.authorization = `Basic ${Buffer.from(`${identity}:${backend.secret}`).toString('base64')}`;
    const url = `${backend.url}/${encodeURIComponent(identity)}`;
    try {
      this.opts.egress.checkLiteral(url);
    } catch (err) {
      logger.warn({ err, backend: backend.id }, 'backend refused by the egress rules');
      return this.retryLater();
    }
    const socket = new WebSocket(url, [version], {
      headers,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      maxPayload: 1024 * 1024,
      // A name that resolves to a refused address fails here, as a connection error.
      lookup: this.opts.egress.lookup,
    });
    this.socket = socket;
    socket.on('open', () => {
      if (socket.protocol !== version) {
        logger.warn(
          { backend: backend.id, protocol: socket.protocol },
          'backend refused our OCPP version',
        );
        socket.close(1002, `${version} required`);
        return;
      }
      this.attempt = 0;
      logger.info({ backend: backend.id }, 'backend link open');
      this.primeWithBoot();
      this.calls.resume();
    });
    socket.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
    socket.on('unexpected-response', (_req, res) => {
      logger.warn({ backend: backend.id, status: res.statusCode }, 'backend refused the station');
      socket.terminate();
    });
    socket.on('error', (err) => logger.debug({ err, backend: backend.id }, 'backend link error'));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      // What was in flight goes again, first: the backend may or may not have seen it.
      this.calls.pause({ resend: true });
      this.retryLater();
    });
  }

  private retryLater(): void {
    if (this.closed) return;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt++);
    this.retry = setTimeout(() => this.connect(), delay * (0.5 + Math.random() / 2));
  }

  /**
   * A link opened after the station booted (a backend added at run time, or back after an
   * outage) starts with the station's BootNotification, so the backend knows the station
   * before its other messages. Its answer is dropped.
   */
  private primeWithBoot(): void {
    const boot = this.opts.lastBoot();
    if (boot && this.calls.head !== 'BootNotification')
      void this.calls.callFirst('BootNotification', boot);
  }

  private receive(data: Buffer, isBinary: boolean): void {
    let frame: unknown;
    try {
      frame = isBinary ? null : JSON.parse(data.toString('utf8'));
    } catch {
      frame = null;
    }
    if (!Array.isArray(frame) || typeof frame[1] !== 'string') {
      this.opts.logger.warn({ backend: this.backendId }, 'unreadable frame from backend ignored');
      return;
    }
    const [type, id] = frame as [number, string];
    if (type === 3 && isObject(frame[2])) {
      this.calls.settle(id, { ok: true, payload: frame[2] });
      return;
    }
    if (type === 4) {
      this.calls.settle(id, {
        ok: false,
        code: String(frame[2]),
        description: String(frame[3] ?? ''),
      });
      return;
    }
    if (type === 2 && typeof frame[2] === 'string' && isObject(frame[3])) {
      void this.opts.onCall(frame[2], frame[3]).then((outcome) => {
        if (this.socket?.readyState !== WebSocket.OPEN) return;
        this.socket.send(
          JSON.stringify(
            outcome.ok
              ? [3, id, outcome.payload]
              : [4, id, outcome.code, outcome.description.slice(0, 255), {}],
          ),
        );
      });
      return;
    }
    this.opts.logger.warn(
      { backend: this.backendId, type },
      'unexpected frame from backend ignored',
    );
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

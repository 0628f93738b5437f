import type { HttpResponse, TemplatedApp, us_socket_context_t, WebSocket } from 'uWebSockets.js';
import type { Database } from '../../db/client';
import type { DeviceKey } from '../../twins/ids';
import type { DeviceLinks } from '../device-links';
import { ChargingSessionStore } from '../../db/charging-session-store';
import { MeterSignatures } from './meter-signatures';
import type { OcppVersion } from './ocpp-version';
import { decideHandshake, type Handshake, type UpgradeRequest } from './station-handshake';
import { StationSession, type StationSessionOptions } from './station-session';
import { upgradeAfterAwait } from '../uws-async-upgrade';
import { admissionRefusal } from './upgrade-admission';
import { connectionOrigin } from '../source-address';
import * as limits from '../message-limits';
import { recordLogStatus } from '../../db/device-logs';

export interface OcppEndpointOptions {
  links: DeviceLinks;
  database: Database;
  maxPayloadBytes: number;
  /** Seconds without a message or pong before the gateway closes the connection (uWS: ≥ 8). */
  idleTimeoutS: number;
  /** Heartbeat interval given to accepted stations; default 300 s. */
  heartbeatIntervalS?: number;
  /** Retry interval given to stations answered Pending; default 10 s. */
  pendingIntervalS?: number;
  /** Addresses of TLS terminators whose client-certificate headers are believed (security profile 3). */
  trustedProxies: readonly string[];
  /** How long the server waits for a station's answer to its own CALL; default 30 s. */
  callTimeoutMs?: number;
  /** Station alarms and monitors (docs/ocpp.md, "Alarms on the station"). */
  alarms?: StationSessionOptions['alarms'];
  /** Stations' idTags authorised against OCPI tokens (docs/ocpi.md); left out, every idTag is accepted. */
  authorization?: StationSessionOptions['authorization'];
  /** Multi-backend routing: upstream CSMSs per station (docs/backends.md). */
  routing?: StationSessionOptions['routing'];
  /** Upgrades being decided at once (each costs queries and scrypt); more are answered 503. */
  maxUpgradesInFlight: number;
}

interface StationSocket {
  key: DeviceKey;
  /** The model the device was registered with: its profile's quirk rules apply from the first frame. */
  model: string | null;
  version: OcppVersion | null;
  /** A password the station claimed on this connection, to set on it after its boot. */
  claimed: string | undefined;
  session: StationSession | null;
  closed: boolean;
  lastHeard: number;
  /** When the upgrade was answered, and how many messages came since (for the close log). */
  openedAt: number;
  received: number;
}

/** RFC 6455 1002: no OCPP version agreed, so no OCPP message can be understood. */
const PROTOCOL_ERROR = 1002;
/** uWS checks timeouts every few seconds (see the JSON endpoint). */
const TIMEOUT_GRANULARITY_MS = 4_000;

/** Refuses the upgrade with the handshake's status, or upgrades to the agreed OCPP version. */
function answerUpgrade(
  links: DeviceLinks,
  res: HttpResponse,
  handshake: Handshake,
  wsKey: string,
  extensions: string,
  context: us_socket_context_t,
  anchor: WebSocket<StationSocket> | undefined,
): void {
  if (!handshake.ok) {
    links.refuse('ocpp', handshake.code);
    res.cork(() => {
      res.writeStatus(handshake.status);
      if (handshake.status === '401 Unauthorized')
        res.writeHeader('WWW-Authenticate', 'Basic realm="ocpp", charset="UTF-8"');
      if (handshake.retryAfterS !== undefined)
        res.writeHeader('Retry-After', String(handshake.retryAfterS));
      res.end();
    });
    return;
  }
  const data: StationSocket = {
    key: handshake.key,
    model: handshake.model,
    version: handshake.version,
    claimed: handshake.claimed,
    session: null,
    closed: false,
    lastHeard: Date.now(),
    openedAt: Date.now(),
    received: 0,
  };
  // An empty protocol leaves Sec-WebSocket-Protocol out.
  upgradeAfterAwait(
    res,
    () => res.upgrade(data, wsKey, handshake.version ?? '', extensions, context),
    anchor,
  );
}

/** OCPP-J 1.6 and 2.0.1 at `/ocpp/{identity}` and `/ocpp/{tenant}/{identity}` (docs/ocpp.md). */
export function mountOcppEndpoint(
  app: TemplatedApp,
  opts: OcppEndpointOptions,
): { closeAll(code: number, reason: string): void } {
  const { links } = opts;
  const sockets = new Set<WebSocket<StationSocket>>();
  const inFlight = { count: 0 };
  const sessions = new ChargingSessionStore(opts.database);
  const signatures = new MeterSignatures(opts.database);

  app.ws<StationSocket>('/ocpp/*', {
    maxPayloadLength: limits.uwsPayloadLimit(opts.maxPayloadBytes),
    idleTimeout: opts.idleTimeoutS,
    maxBackpressure: 1024 * 1024,
    closeOnBackpressureLimit: true,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      // Before anything costs a query or scrypt: the gateway's admission rate, the upgrades in
      // flight, and a source address locked out after too many failed logins.
      const refusal = admissionRefusal(res, req, opts, inFlight);
      if (refusal) {
        links.refuse('ocpp', refusal.code);
        res.cork(() => {
          res.writeStatus(refusal.status).writeHeader('Retry-After', String(refusal.retryAfterS));
          res.end(refusal.text);
        });
        return;
      }
      // uWS frees the request at the first await: copy everything now.
      const request: UpgradeRequest = {
        url: req.getUrl(),
        authorization: req.getHeader('authorization'),
        protocols: req.getHeader('sec-websocket-protocol'),
        clientVerify: req.getHeader('x-client-verify'),
        clientSubject: req.getHeader('x-client-subject'),
        ...connectionOrigin(res, req, opts.trustedProxies),
      };
      const wsKey = req.getHeader('sec-websocket-key');
      const extensions = req.getHeader('sec-websocket-extensions');
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      inFlight.count++;
      void decideHandshake(request, opts)
        .catch((err: unknown): Handshake => {
          links.logger.error({ err }, 'OCPP handshake failed');
          return { ok: false, status: '503 Service Unavailable', code: 'gateway:failed' };
        })
        .then((handshake) => {
          inFlight.count--;
          if (!aborted)
            answerUpgrade(
              links,
              res,
              handshake,
              wsKey,
              extensions,
              context,
              sockets.values().next().value,
            );
        });
    },
    open: (ws) => {
      sockets.add(ws);
      const data = ws.getUserData();
      if (!data.version) {
        links.refuse('ocpp', 'gateway:ocpp.no-subprotocol');
        ws.end(PROTOCOL_ERROR, 'no agreed subprotocol: offer ocpp1.6 or ocpp2.0.1');
        return;
      }
      const logger = links.logger.child({
        tenant: data.key.tenantId,
        device: data.key.deviceId,
        protocol: data.version,
      });
      data.session = new StationSession({
        key: data.key,
        model: data.model,
        version: data.version,
        claimed: data.claimed,
        links,
        sessions,
        signatures,
        logStatus: (requestNumber, status) =>
          recordLogStatus(opts.database, data.key, requestNumber, status),
        logger,
        heartbeatIntervalS: opts.heartbeatIntervalS ?? 300,
        pendingIntervalS: opts.pendingIntervalS ?? 10,
        callTimeoutMs: opts.callTimeoutMs ?? 30_000,
        routing: opts.routing,
        alarms: opts.alarms,
        authorization: opts.authorization,
        send: (frame) => {
          if (data.closed) return;
          const text = JSON.stringify(frame);
          data.session?.counted('out', Buffer.byteLength(text));
          ws.cork(() => ws.send(text));
        },
        close: (code, reason) => {
          if (data.closed) return;
          logger.info({ code, reason }, 'gateway closes the station connection');
          ws.end(code, reason);
        },
      });
    },
    pong: (ws) => {
      ws.getUserData().lastHeard = Date.now();
    },
    message: (ws, message, isBinary) => {
      const data = ws.getUserData();
      data.lastHeard = Date.now();
      data.received++;
      if (message.byteLength > opts.maxPayloadBytes) {
        links.refuse('ocpp', limits.TOO_LARGE);
        return ws.end(limits.MESSAGE_TOO_BIG, limits.tooLargeReason(opts.maxPayloadBytes));
      }
      data.session?.counted('in', message.byteLength);
      data.session?.receive(message, isBinary);
    },
    close: (ws, code, message) => {
      sockets.delete(ws);
      limits.countCut(links, 'ocpp', code, message);
      const data = ws.getUserData();
      data.closed = true;
      const silent =
        code === 1006 &&
        Date.now() - data.lastHeard >= opts.idleTimeoutS * 1000 - TIMEOUT_GRANULARITY_MS;
      links.logger.info(
        {
          tenant: data.key.tenantId,
          device: data.key.deviceId,
          code,
          reason: Buffer.from(message).toString('utf8'),
          silent,
          openForMs: Date.now() - data.openedAt,
          received: data.received,
        },
        'station connection closed',
      );
      data.session?.closed(silent ? 'heartbeat-missed' : 'disconnected');
    },
  });
  return {
    closeAll: (code, reason) => {
      for (const ws of [...sockets]) {
        ws.getUserData().session?.closingByServer();
        ws.end(code, reason);
      }
    },
  };
}

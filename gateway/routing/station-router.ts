import type { Logger } from 'pino';
import type { DeviceKey } from '../../twins/ids';
import { routesOf, type Backend, type OcppBackend } from '../../twins/routing';
import type { GatewayMetrics } from '../metrics';
import { OcppError, spell } from '../ocpp/ocpp-error';
import type { OcppVersion } from '../ocpp/ocpp-version';
import type { CallOutcome } from '../ocpp/server-calls';
import type { BackendDirectory } from './backend-directory';
import { UpstreamLink } from './upstream-link';
import type { Egress } from '../../outbound/egress';

export interface StationRouterOptions {
  key: DeviceKey;
  model: string | null;
  version: OcppVersion;
  directory: BackendDirectory;
  /** Where backends' URLs may lead. */
  egress: Egress;
  metrics: GatewayMetrics;
  logger: Logger;
  callTimeoutMs: number;
  /** Checks a backend's CALL against the official schema (throws an OcppError when invalid). */
  checkRequest(action: string, payload: Record<string, unknown>): void;
  /** The station's server-call queue, shared with the twin's own commands: one CALL at a time. */
  callStation(action: string, payload: Record<string, unknown>): Promise<CallOutcome>;
}

/** What the station hears back: the primary backend's answer, or Doppel answers itself. */
export type Routed = { primary: null } | { primary: string; outcome: CallOutcome };

/**
 * One OCPP station's routes (DESIGN.md decision 6): an upstream link per matching OCPP
 * backend, kept in step with the backends table while the station is connected. Station
 * CALLs go to every link; only the primary's answer comes back.
 */
export class StationRouter {
  private readonly links = new Map<
    string,
    { link: UpstreamLink; backend: OcppBackend; version: number }
  >();
  private boot: Record<string, unknown> | null = null;
  private closed = false;
  private readonly unsubscribe: () => void;
  /** The latest routes lookup: a station CALL waits for it, so its first CALL is routed too. */
  private syncing: Promise<void> = Promise.resolve();

  constructor(private readonly opts: StationRouterOptions) {
    this.unsubscribe = opts.directory.subscribe(opts.key.tenantId, () => void this.sync());
  }

  /** Opens the links of the backends that take this station now (and closes the others). */
  sync(): Promise<void> {
    const next = this.syncing
      .then(() => this.resync())
      .catch((err) => this.opts.logger.error({ err }, 'routes not updated'));
    this.syncing = next;
    return next;
  }

  private async resync(): Promise<void> {
    let backends: Array<{ backend: Backend; version: number }>;
    try {
      backends = await this.opts.directory.backendsOf(this.opts.key.tenantId);
    } catch (err) {
      this.opts.logger.error({ err }, 'backends not loaded; routes unchanged');
      return;
    }
    if (this.closed) return;
    const wanted = new Map(
      routesOf(
        backends.map((b) => b.backend),
        { deviceId: this.opts.key.deviceId, model: this.opts.model },
      )
        .filter((b): b is OcppBackend => b.kind === 'ocpp')
        .map((b) => [
          b.id,
          { backend: b, version: backends.find((x) => x.backend === b)!.version },
        ]),
    );
    for (const [id, current] of this.links) {
      const next = wanted.get(id);
      if (next && next.version === current.version) continue;
      current.link.close();
      this.links.delete(id);
    }
    for (const [id, { backend, version }] of wanted) {
      if (this.links.has(id)) continue;
      this.links.set(id, { link: this.linkTo(backend), backend, version });
    }
  }

  /**
   * Forwards a validated station CALL to every backend of this station. With a primary, its
   * answer (or a CALLERROR after its reply time-out) is what the station hears; the call
   * stays buffered for the backend either way, and is replayed once it is back.
   */
  async forward(action: string, payload: Record<string, unknown>): Promise<Routed> {
    await this.syncing;
    if (action === 'BootNotification') this.boot = payload;
    let primary: Promise<Routed> | null = null;
    for (const { link, backend } of this.links.values()) {
      const answered = link.send(action, payload);
      if (backend.role === 'primary') primary = this.awaitPrimary(backend, answered);
    }
    return primary ?? { primary: null };
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const { link } of this.links.values()) link.close();
    this.links.clear();
  }

  private async awaitPrimary(
    backend: OcppBackend,
    answered: Promise<CallOutcome>,
  ): Promise<Routed> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<CallOutcome>((resolve) => {
      timer = setTimeout(() => {
        this.opts.metrics.backendTimeouts.inc({ backend: this.label(backend) });
        resolve({
          ok: false,
          code: 'GenericError',
          description: `the primary backend did not answer within ${backend.replyTimeoutMs} ms`,
        });
      }, backend.replyTimeoutMs);
    });
    const outcome = await Promise.race([answered, late]);
    clearTimeout(timer);
    return { primary: backend.id, outcome };
  }

  private label(backend: Backend): string {
    return `${this.opts.key.tenantId}/${backend.id}`;
  }

  private linkTo(backend: OcppBackend): UpstreamLink {
    const label = this.label(backend);
    const { metrics } = this.opts;
    return new UpstreamLink({
      backend,
      egress: this.opts.egress,
      identity: this.opts.key.deviceId,
      version: this.opts.version,
      logger: this.opts.logger,
      callTimeoutMs: this.opts.callTimeoutMs,
      lastBoot: () => this.boot,
      onCall: (action, payload) => this.relay(backend, action, payload),
      counted: (outcome) => metrics.backendMessages.inc({ backend: label, kind: 'ocpp', outcome }),
      buffered: (delta) => metrics.backendBuffered.inc({ backend: label, kind: 'ocpp' }, delta),
    });
  }

  /**
   * A backend's CALL reaches the station only when its allow-list names the action and the
   * payload passes the official schema; then it waits its turn in the station's single
   * server-call queue, behind or before the twin's own commands, never beside them.
   */
  private async relay(
    backend: OcppBackend,
    action: string,
    payload: Record<string, unknown>,
  ): Promise<CallOutcome> {
    const count = (outcome: string) =>
      this.opts.metrics.backendCalls.inc({ backend: this.label(backend), outcome });
    if (!backend.allowedActions.includes(action)) {
      count('refused');
      return {
        ok: false,
        code: 'SecurityError',
        description: `${action} is not on this backend's allow-list`,
      };
    }
    try {
      this.opts.checkRequest(action, payload);
    } catch (error) {
      count('invalid');
      const refusal = OcppError.from(error);
      return {
        ok: false,
        code: spell(refusal.code, this.opts.version),
        description: refusal.message,
      };
    }
    const outcome = await this.opts.callStation(action, payload);
    count('relayed');
    if (outcome.ok || !['Timeout', 'Closed'].includes(outcome.code)) return outcome;
    return {
      ok: false,
      code: 'GenericError',
      description: `the station did not answer: ${outcome.description}`,
    };
  }
}

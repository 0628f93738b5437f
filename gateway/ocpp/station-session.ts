import type { Logger } from 'pino';
import type { DeviceKey } from '../../twins/ids';
import type { DeviceLink, DeviceLinks, SessionControl } from '../device-links';
import { actions16 } from './actions-16';
import { actions201 } from './actions-201';
import type { ChargingSessionStore } from '../../db/charging-session-store';
import type { MeterSignatures } from './meter-signatures';
import { DesiredDelivery } from './desired-delivery';
import { OcppError } from './ocpp-error';
import type { OcppVersion } from './ocpp-version';
import { officialSchemas } from './official-schemas';
import { isFrameFailure, parseFrame, type Frame } from './parse-frame';
import { applyQuirks } from '../../twins/profiles';
import { ServerCalls } from './server-calls';
import type { MonitoredStation, StationAlarms } from './station-alarms';
import type { IdTagAuthorization } from './id-tag-authorization';
import { RemoteStarts } from './remote-starts';
import { stationCommand } from './firmware-update';
import { sendStationCommand } from './station-commands';
import type { ActionContext, ActionOutcome } from './station-action';
import type { BackendDirectory } from '../routing/backend-directory';
import type { Egress } from '../../outbound/egress';
import { StationRouter } from '../routing/station-router';
import type { GatewayMetrics } from '../metrics';
import type { CallOutcome } from './server-calls';
import { isCallErrorCode } from './ocpp-error';

export interface StationSessionOptions {
  key: DeviceKey;
  version: OcppVersion;
  links: DeviceLinks;
  sessions: ChargingSessionStore;
  signatures: MeterSignatures;
  /** Records a Log/DiagnosticsStatusNotification on its log request (db/device-logs.ts). */
  logStatus?: ActionContext['logStatus'];
  logger: Logger;
  /** The registered model, whose profile's quirk rules repair this station's frames. */
  model: string | null;
  /** The password the station claimed on connecting: set on it first thing after its boot. */
  claimed?: string | undefined;
  /** Heartbeat interval told to an accepted station (s). */
  heartbeatIntervalS: number;
  /** Retry interval told to a station answered Pending (s): short, jittered by the station. */
  pendingIntervalS: number;
  callTimeoutMs: number;
  /** Station alarms and monitors (docs/ocpp.md, "Alarms on the station"); left out, none. */
  alarms?: StationAlarms | undefined;
  /** Stations' idTags authorised against OCPI tokens (docs/ocpi.md); left out, every idTag is accepted. */
  authorization?: IdTagAuthorization | undefined;
  /** Multi-backend routing (docs/backends.md); left out, the gateway answers every CALL itself. */
  routing?: { directory: BackendDirectory; metrics: GatewayMetrics; egress: Egress } | undefined;
  send(frame: unknown[]): void;
  close(code: number, reason: string): void;
}

type CallFrame = Extract<Frame, { type: 'call' }>;

const now = () => new Date().toISOString();

/**
 * One station's OCPP-J conversation: its CALLs are answered strictly in arrival order (a
 * station that does not wait for the answer is queued, never dropped), nothing but
 * BootNotification is served before the boot was accepted, and the server's own CALLs go
 * out one at a time once it was.
 */
export class StationSession {
  private phase: 'awaiting-boot' | 'accepted' | 'closed' = 'awaiting-boot';
  private link: DeviceLink | null = null;
  /** Frames received before the link opened (the BootNotification), for the history. */
  private readonly earlyIn = { messages: 0, bytes: 0 };
  /** The gateway's message numbers for the twin (connect, then each report). */
  private seq = 0;
  private inbound: Promise<void> = Promise.resolve();
  private readonly calls: ServerCalls;
  private readonly desired: DesiredDelivery;
  private readonly schemas;
  private readonly actions;
  /** Repairs made on this connection by the model's quirk rules, by rule id. */
  private readonly quirkCounts: Record<string, number> = {};
  private pendingRepairReport = false;
  private readonly router: StationRouter | null = null;
  /** This station's idTags judged against its tenant's OCPI tokens (made once, not per CALL). */
  private readonly idTagStatus: ActionContext['idTagStatus'];
  /** idTags the server started transactions for: authorised by whoever asked (remote-starts.ts). */
  private readonly remoteStarts = new RemoteStarts();
  /** This station as the monitors see it (2.0.1, once its boot was accepted). */
  private monitored: MonitoredStation | null = null;

  constructor(private readonly opts: StationSessionOptions) {
    this.calls = new ServerCalls((frame) => opts.send(frame), opts.callTimeoutMs);
    this.schemas = officialSchemas[opts.version];
    this.actions = opts.version === 'ocpp1.6' ? actions16 : actions201;
    const { authorization, key, version } = opts;
    this.idTagStatus = authorization
      ? async (idTag, type) =>
          this.remoteStarts.has(idTag)
            ? authorization.remoteStarted()
            : authorization.authorize(key, version, idTag, type)
      : undefined;
    this.desired = new DesiredDelivery({
      version: opts.version,
      calls: this.calls,
      schemas: this.schemas,
      logger: opts.logger,
      report: (state) =>
        this.phase === 'closed' || !this.link ? null : this.link.report(++this.seq, state),
    });
    if (opts.claimed) void this.setClaimedPassword(opts.claimed);
    if (opts.routing) {
      this.router = new StationRouter({
        key: opts.key,
        model: opts.model,
        version: opts.version,
        directory: opts.routing.directory,
        egress: opts.routing.egress,
        metrics: opts.routing.metrics,
        logger: opts.logger,
        callTimeoutMs: opts.callTimeoutMs,
        checkRequest: (action, payload) => this.schemas.check(action, 'request', payload),
        callStation: (action, payload) => this.calls.call(action, payload),
      });
      void this.router.sync();
    }
  }

  /**
   * Sets the password the station claimed (the first call after its boot is accepted): 1.6
   * `ChangeConfiguration AuthorizationKey`, 2.0.1 `SetVariables SecurityCtrlr.BasicAuthPassword`
   * (the security whitepaper's way). The claim token was spent by this claim: a station that
   * refuses its password cannot claim again and needs a new identity from the operator.
   *
   * The 1.6 security whitepaper keeps the AuthorizationKey as its hexadecimal representation
   * (16–20 bytes, 32–40 hex digits): the station decodes it and presents those bytes as its
   * Basic-auth password, so the key set is the password's bytes in hex.
   */
  private async setClaimedPassword(password: string): Promise<void> {
    const outcome =
      this.opts.version === 'ocpp1.6'
        ? await this.calls.call('ChangeConfiguration', {
            key: 'AuthorizationKey',
            value: Buffer.from(password, 'utf8').toString('hex'),
          })
        : await this.calls.call('SetVariables', {
            setVariableData: [
              {
                attributeValue: password,
                component: { name: 'SecurityCtrlr' },
                variable: { name: 'BasicAuthPassword' },
              },
            ],
          });
    const status = !outcome.ok
      ? `${outcome.code}: ${outcome.description}`
      : this.opts.version === 'ocpp1.6'
        ? String(outcome.payload.status)
        : String(
            (
              outcome.payload.setVariableResult as Array<{ attributeStatus?: string }> | undefined
            )?.[0]?.attributeStatus,
          );
    if (status === 'Accepted' || status === 'RebootRequired')
      this.opts.logger.info({ status }, 'claimed password set on the station');
    else
      this.opts.logger.warn(
        { status },
        'security event: the station did not take its claimed password; its claim token is spent',
      );
  }

  receive(data: ArrayBuffer, isBinary: boolean): void {
    const frame = parseFrame(data, isBinary);
    if (isFrameFailure(frame)) {
      this.opts.links.refuse('ocpp', `ocpp:${frame.error.code}`);
      return this.inOrder(async () => ({
        answer: frame.error.asCallError(frame.id, this.opts.version),
      }));
    }
    if (frame.type === 'call') return this.inOrder(() => this.answer(frame));
    const outcome =
      frame.type === 'result'
        ? { ok: true as const, payload: frame.payload }
        : { ok: false as const, code: frame.code, description: frame.description };
    if (!this.calls.settle(frame.id, outcome))
      this.opts.logger.warn({ id: frame.id }, 'answer to no outstanding call ignored');
  }

  /** The gateway closes this connection (shutdown): its history says `server-closed`. */
  closingByServer(): void {
    this.link?.closedByServer();
  }

  /** Counts a frame each way for the connection history (none before the link opens). */
  counted(direction: 'in' | 'out', bytes: number): void {
    if (direction === 'out') return this.link?.sent(bytes);
    if (this.link) return this.link.received(bytes);
    // The link opens on BootNotification: what came before it counts once it is open.
    this.earlyIn.messages++;
    this.earlyIn.bytes += bytes;
  }

  /** The connection is gone (or going): pending server calls end, the twin hears it. */
  closed(reason: 'disconnected' | 'heartbeat-missed'): void {
    this.phase = 'closed';
    this.calls.stop();
    this.router?.close();
    if (this.monitored) this.opts.alarms?.detach(this.monitored);
    this.link?.close(reason);
  }

  private inOrder(work: () => Promise<{ answer: unknown[]; after?: () => void }>): void {
    this.inbound = this.inbound.then(async () => {
      const { answer, after } = await work();
      if (this.phase === 'closed') return;
      this.opts.send(answer);
      after?.();
    });
  }

  private async answer(call: CallFrame): Promise<{ answer: unknown[]; after?: () => void }> {
    const { version, logger } = this.opts;
    try {
      if (!this.schemas.knows(call.action)) {
        // The description is a fixed text: what the station sent goes to the log, escaped.
        logger.warn({ action: JSON.stringify(call.action) }, 'unknown action');
        throw new OcppError('NotImplemented', `the action is not one of ${version}`);
      }
      if (call.action !== 'BootNotification' && this.phase !== 'accepted')
        throw new OcppError('SecurityError', 'send BootNotification and wait for Accepted first');
      const payload = await this.repair(call.action, call.payload);
      this.schemas.check(call.action, 'request', payload);
      const routed = this.router ? await this.router.forward(call.action, payload) : null;
      if (routed?.primary && !routed.outcome.ok)
        return { answer: this.upstreamError(call.id, routed.primary, routed.outcome) };
      const primary = routed?.primary && routed.outcome.ok ? routed.outcome.payload : undefined;
      if (primary) this.checkPrimaryAnswer(call.action, primary);
      const outcome =
        call.action === 'BootNotification'
          ? await this.boot(payload, primary)
          : await this.perform(call.action, payload, primary);
      await this.reportRepairs();
      if (!primary) this.checkOwnAnswer(call.action, outcome.answer);
      return {
        answer: [3, call.id, outcome.answer],
        ...(call.action === 'BootNotification' && this.phase === 'accepted'
          ? { after: () => this.accepted() }
          : {}),
      };
    } catch (error) {
      if (!(error instanceof OcppError))
        logger.error({ err: error, action: call.action }, 'station call failed');
      const refusal = OcppError.from(error);
      this.opts.links.refuse('ocpp', `ocpp:${refusal.code}`);
      return { answer: refusal.asCallError(call.id, version) };
    }
  }

  /** The boot was accepted: the server's calls go out, a 2.0.1 station's monitors are set. */
  private accepted(): void {
    this.calls.resume();
    const { alarms, version, key, model, logger } = this.opts;
    // Without a model there is no profile: no monitors, no events that are alarms.
    if (!alarms || version !== 'ocpp2.0.1' || !model || this.monitored) return;
    this.monitored = {
      key,
      model,
      logger,
      call: (action, payload) => this.calls.call(action, payload),
      report: (state) =>
        this.phase === 'closed' || !this.link ? null : this.link.report(++this.seq, state),
    };
    alarms.attach(this.monitored);
  }

  /**
   * Applies the model's quirk rules (device profile) before validation: known non-compliance
   * is repaired and counted instead of refused.
   */
  private async repair(
    action: string,
    payload: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const rules = await this.opts.links.quirks(this.opts.key, this.opts.model);
    const { payload: repaired, applied } = applyQuirks(rules, action, payload);
    for (const rule of applied) {
      this.quirkCounts[rule] = (this.quirkCounts[rule] ?? 0) + 1;
      this.opts.links.quirkApplied(this.opts.model ?? 'unknown', rule);
      this.pendingRepairReport = true;
    }
    return repaired as Record<string, unknown>;
  }

  /** Makes the repairs visible on the twin (reported `quirksApplied`: rule → count this connection). */
  private async reportRepairs(): Promise<void> {
    if (!this.pendingRepairReport || !this.link) return;
    this.pendingRepairReport = false;
    await this.link.report(++this.seq, { quirksApplied: { ...this.quirkCounts } });
  }

  /**
   * With a primary backend its answer is the station's (Doppel still opens the twin's
   * session first; a twin that then cannot be told closes the connection, 1013).
   */
  private async boot(
    payload: Record<string, any>,
    primary?: Record<string, unknown>,
  ): Promise<ActionOutcome> {
    const { version, links, key, logger } = this.opts;
    const station = version === 'ocpp1.6' ? null : payload.chargingStation;
    const model: string = station ? station.model : payload.chargePointModel;
    const firmware: string | undefined = station
      ? station.firmwareVersion
      : payload.firmwareVersion;
    if (!this.link) {
      try {
        const link = await links.open({
          key,
          model,
          firmware,
          seq: ++this.seq,
          protocol: version,
          control: this.control(),
        });
        if (this.phase === 'closed') {
          link.close('disconnected');
          throw new OcppError('GenericError', 'connection closed during boot');
        }
        this.link = link;
        link.received(this.earlyIn.bytes, this.earlyIn.messages);
      } catch (error) {
        if (error instanceof OcppError) throw error;
        // Admission control (flapping): the station retries after a short wait instead of being refused.
        logger.warn({ err: error }, 'connection not admitted; boot Pending');
        return {
          answer: { currentTime: now(), interval: this.opts.pendingIntervalS, status: 'Pending' },
        };
      }
    }
    if (primary) {
      if (primary.status === 'Accepted') this.phase = 'accepted';
      return { answer: primary };
    }
    this.phase = 'accepted';
    return {
      answer: { currentTime: now(), interval: this.opts.heartbeatIntervalS, status: 'Accepted' },
    };
  }

  private async perform(
    action: string,
    payload: Record<string, unknown>,
    primary?: Record<string, unknown>,
  ): Promise<ActionOutcome> {
    const handler = this.actions[action];
    if (!handler) {
      // A primary backend may know actions Doppel does not model: its answer stands.
      if (primary) return { answer: primary };
      throw new OcppError('NotSupported', `${action} is not supported by this server`);
    }
    const { key, sessions, signatures, logger, logStatus } = this.opts;
    const outcome = await handler(payload, {
      key,
      sessions,
      signatures,
      logger,
      now,
      primary,
      logStatus,
      // With a primary backend, its answer is the station's: no idTag is judged here.
      idTagStatus: primary ? undefined : this.idTagStatus,
    });
    // The station hears back only once what it said is durable: samples committed, twin told.
    if (outcome.telemetry && outcome.telemetry.length > 0)
      await this.link!.telemetry(outcome.telemetry);
    if (outcome.report && Object.keys(outcome.report).length > 0)
      await this.link!.report(++this.seq, outcome.report);
    // Its alarms too: the station is answered once they are committed (a failure: CALLERROR, it retries).
    if (outcome.alarms && this.opts.alarms)
      await this.opts.alarms.apply(key, this.opts.model, outcome.alarms);
    return primary ? { ...outcome, answer: primary } : outcome;
  }

  /** The primary's answer reaches the station only if it passes the official response schema. */
  private checkPrimaryAnswer(action: string, answer: Record<string, unknown>): void {
    try {
      this.schemas.check(action, 'response', answer);
    } catch (error) {
      this.opts.logger.warn({ err: error, action }, 'primary backend answered outside the schema');
      this.opts.routing?.metrics.refuse('backend', 'invalid-answer');
      throw new OcppError('InternalError', 'the primary backend answered with an invalid message');
    }
  }

  /** A primary's CALLERROR, or its silence, told to the station in its version's terms. */
  private upstreamError(id: string, backend: string, outcome: CallOutcome & { ok: false }) {
    const code = isCallErrorCode(outcome.code, this.opts.version) ? outcome.code : 'GenericError';
    const description =
      code === outcome.code ? outcome.description : `backend ${backend}: ${outcome.description}`;
    return [4, id, code, description.slice(0, 255), {}];
  }

  /** Our answers pass the official response schema too; a miss is our bug, told as InternalError. */
  private checkOwnAnswer(action: string, answer: Record<string, unknown>): void {
    try {
      this.schemas.check(action, 'response', answer);
    } catch (error) {
      this.opts.logger.error({ err: error, action }, 'own answer breaks the OCPP schema');
      throw new OcppError('InternalError', 'the server built an invalid answer');
    }
  }

  private control(): SessionControl {
    return {
      close: (code, reason) => this.opts.close(code, reason),
      pushDesired: (shadowVersion, delta) => this.desired.push(shadowVersion, delta),
      // The server-call queue has its own timeout: one outstanding CALL at a time.
      command: async (name, params) => {
        // A neutral command (firmware-update) becomes this version's own action.
        const own = stationCommand(this.opts.version, name, params);
        // Remembered before it goes out: the station may present the idTag before it answers.
        const started = RemoteStarts.idTagOf(own.name, own.params);
        if (started !== null) this.remoteStarts.remember(started);
        const outcome = await sendStationCommand(this.calls, this.schemas, own.name, own.params);
        if (started !== null && outcome.status !== 'succeeded') this.remoteStarts.forget(started);
        return own.neutral ? own.neutral(outcome) : outcome;
      },
    };
  }
}

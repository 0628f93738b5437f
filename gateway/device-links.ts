import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SecretForm } from '../db/provisioning-store';
import type { IngestCommand, SessionEndReason, SessionEnding } from '../db/device-ingest';
import type { CommandOutcome, DeviceTwinSettings, OfflineReason } from '../twins/device';
import { delta } from '../twins/shadow';
import { DoppelError } from '../twins/errors';
import type { DeviceProfile, QuirkRule } from '../twins/profiles';
import type { DeviceKey } from '../twins/ids';
import type { Admission } from './admission';
import type { AuthFailures } from './auth-failures';
import type { GatewayMetrics } from './metrics';
import type { TelemetryWriter } from './telemetry-writer';
import type { IngestWriter } from './ingest-writer';
import type { DeviceEvent } from './routing/webhooks';
import { connectSpan, messageSpan, spanned } from './message-spans';
import { submitIngest } from './submit-ingest';

/** What a protocol adapter lets the twin do to its connection. */
export interface SessionControl {
  close(code: number, reason: string): void;
  /** Sends the shadow delta in the protocol's own form. */
  pushDesired(shadowVersion: number, delta: Record<string, unknown>): void;
  /**
   * Sends a command and resolves with the device's answer (never rejects: a timeout or a
   * closed connection is an outcome), or with null when the device did not get it for sure
   * (MQTT: the connection ended before the answer), so the twin keeps it for the next
   * connection. `twin` is what the twin knows of the command: its id and expiry.
   */
  command?(
    name: string,
    params: Record<string, unknown>,
    timeoutMs: number,
    twin?: { id?: string | undefined; expiresAt?: string | undefined },
  ): Promise<CommandOutcome | null>;
}

export interface DeviceLinksOptions {
  nodeId: string;
  /** Commits connects, reports and disconnects to the device records in batches. */
  ingest: IngestWriter;
  /** The grace period of a lost connection and the reading rules of the ingest path. */
  settings: DeviceTwinSettings;
  logger: Logger;
  metrics: GatewayMetrics;
  admission: Admission;
  /** Failed logins per device and source address (every protocol): locks guessers out. */
  authFailures: AuthFailures;
  /** Remembers each device's refused logins for "why is it offline" (coalesced writes). */
  refusals?: { refused(key: DeviceKey, code: string): void } | undefined;
  telemetry: TelemetryWriter;
  /** A device's connection ended here (its alarm rules' calm pairs are forgotten). */
  onForget?: ((key: DeviceKey) => void) | undefined;
  /** Copies of what devices did (acknowledged only), for the webhook backends. */
  copies?: { deliver(key: DeviceKey, model: string | null, event: DeviceEvent): void };
  /** The device's model when the device exists, is not revoked and the secret matches; else false. */
  authenticate(key: DeviceKey, secret: string): Promise<{ model: string | null } | false>;
  /** A claim (serial + claim token, see provisioning): the device's new secret, or the refusal. */
  claim?(key: DeviceKey, claimToken: string, form: SecretForm): Promise<ClaimAnswer>;
  /** The device's model when it exists and is not revoked (its certificate was verified by the TLS terminator). */
  authenticateCertificate(key: DeviceKey): Promise<{ model: string | null } | false>;
  /** The device profile of a model (cached), or null. */
  profile(key: DeviceKey, model: string): Promise<DeviceProfile | null>;
  /** Reads a report in the terms of the device's profile: canonical names and units, flags. */
  normalise(
    key: DeviceKey,
    model: string | null,
    state: Record<string, unknown>,
  ): Promise<{ state: Record<string, unknown>; flags: Record<string, string> }>;
}

/** A claim's answer: the device's new secret, or the refusal's code and message. */
export type ClaimAnswer = { secret: string } | { refused: string; message: string };

const now = () => new Date().toISOString();
type Samples = ReadonlyArray<{ at: string; values: Record<string, unknown>; channel?: string }>;
const deviceName = (key: DeviceKey) => `${key.tenantId}/${key.deviceId}`;

/**
 * The protocol-neutral core of the gateway: one `DeviceLink` per authenticated connection,
 * whatever protocol it speaks. Adapters (native JSON, MQTT, OCPP) translate frames into
 * link calls; the twin reaches the connection back through the link's session control.
 */
export class DeviceLinks {
  private readonly links = new Map<string, { link: DeviceLink; control: SessionControl }>();

  constructor(private readonly opts: DeviceLinksOptions) {}

  get logger(): Logger {
    return this.opts.logger;
  }

  authenticateCertificate(key: DeviceKey): Promise<{ model: string | null } | false> {
    return this.opts.authenticateCertificate(key).catch((error: unknown) => {
      this.opts.logger.error({ err: error }, 'device certificate authentication failed');
      return false as const;
    });
  }

  /**
   * How long a device or a source address must wait before it may log in again (ms; 0 = now),
   * after too many failures. Adapters ask before they spend a query or scrypt on it, and
   * answer 429 (before the upgrade) or their protocol's "try again later".
   */
  loginLockedFor(key: DeviceKey | null, source: string | null): number {
    const wait = this.opts.authFailures.retryAfterMs(key && deviceName(key), source);
    if (wait > 0) this.opts.metrics.admissions.inc({ outcome: 'login-locked' });
    return wait;
  }

  /**
   * A refused login (unknown device, wrong secret or claim) from `source`, and why (`code`):
   * remembered per device for "why is it offline" (coalesced, see gateway/login-refusals.ts).
   */
  loginFailed(key: DeviceKey | null, source: string | null, code = 'gateway:auth.refused'): void {
    this.opts.authFailures.failed(key && deviceName(key), source);
    if (key) this.opts.refusals?.refused(key, code);
  }

  loginSucceeded(key: DeviceKey): void {
    this.opts.authFailures.succeeded(deviceName(key));
  }

  /**
   * Whether a new connection may start now (the gateway-wide admission rate). Adapters ask
   * before the upgrade and answer 503 with Retry-After when not.
   */
  admit(): boolean {
    const admitted = this.opts.admission.admit();
    if (!admitted) this.opts.metrics.admissions.inc({ outcome: 'rate-limited' });
    return admitted;
  }

  /** The quirk rules of a device's model (its profile), empty without one. */
  async quirks(key: DeviceKey, model: string | null): Promise<readonly QuirkRule[]> {
    if (!model) return [];
    return (await this.opts.profile(key, model))?.quirks ?? [];
  }

  quirkApplied(model: string, rule: string): void {
    this.opts.metrics.quirks.inc({ model, rule });
  }

  /** Counts an input the adapter refused, by protocol and error code. */
  refuse(protocol: string, code: string): void {
    this.opts.metrics.refuse(protocol, code);
  }

  /**
   * A provisioned device claims its identity with its claim token: it gets its own secret, or
   * the refusal's code (`gateway:auth.claim-refused` for an unknown, expired or spent claim or
   * a gateway that cannot claim; `provisioning:claim.locked` after too many wrong ones).
   */
  claimOrRefusal(
    key: DeviceKey,
    claimToken: string,
    form: SecretForm = 'device-secret',
  ): Promise<ClaimAnswer> {
    const refused = {
      refused: 'gateway:auth.claim-refused',
      message: 'unknown, expired or used claim',
    };
    if (!this.opts.claim) return Promise.resolve(refused);
    return this.opts.claim(key, claimToken, form).catch((error: unknown) => {
      this.opts.logger.error({ err: error }, 'device claim failed');
      return refused;
    });
  }

  /** The device's new secret from its claim, or null when refused (protocols without codes). */
  async claim(
    key: DeviceKey,
    claimToken: string,
    form: SecretForm = 'device-secret',
  ): Promise<string | null> {
    const answer = await this.claimOrRefusal(key, claimToken, form);
    return 'secret' in answer ? answer.secret : null;
  }

  authenticate(key: DeviceKey, secret: string): Promise<{ model: string | null } | false> {
    return this.opts.authenticate(key, secret).catch((error: unknown) => {
      this.opts.logger.error({ err: error }, 'device authentication failed');
      return false as const;
    });
  }

  /**
   * Opens a session: the connect goes to the ingest writer (committed to the device record in
   * the next batch, in order before anything the device sends next), and the link is returned
   * at once, so the adapter may welcome the device without waiting for the COMMIT. A session is
   * not device data: a connect never committed (PostgreSQL unavailable, gateway crash) costs
   * the device a reconnect, nothing it was acknowledged for. Reports and commands of the link
   * wait until the connect is committed; when it is refused, the connection is closed (4403
   * for a retired or replaced device, else 1013, try again later). Once committed, a desired
   * delta the record holds is pushed to the device. Throws only when the device flaps.
   */
  async open(input: {
    key: DeviceKey;
    model: string | null;
    firmware?: string | undefined;
    seq: number;
    protocol: string;
    control: SessionControl;
  }): Promise<DeviceLink> {
    if (!this.opts.admission.connected(`${input.key.tenantId}/${input.key.deviceId}`)) {
      this.opts.metrics.admissions.inc({ outcome: 'flapping' });
      throw new DoppelError(
        'gateway:admission.flapping',
        'the device reconnects too often; it may connect again after a cool-down',
        {
          hint: 'back off exponentially with jitter between reconnects',
        },
      );
    }
    const sessionId = randomUUID();
    // A span per message when tracing is on (gateway/message-spans.ts); null when off.
    const span = connectSpan(input, sessionId);
    const accepted = spanned(span, () =>
      submitIngest(this.opts, input.key, input.model, {
        type: 'connect',
        at: now(),
        sessionId,
        gatewayNode: this.opts.nodeId,
        seq: input.seq,
        protocol: input.protocol,
        ...(input.model ? { model: input.model } : {}),
        ...(input.firmware ? { firmware: input.firmware } : {}),
      }),
    ).then((outcome) => {
      if ('rejection' in outcome)
        throw new DoppelError(outcome.rejection.code, outcome.rejection.message);
      const pending = delta(outcome.after.shadow);
      if (Object.keys(pending).length > 0 && this.links.has(sessionId))
        input.control.pushDesired(outcome.after.shadow.version, pending);
    });
    const link = new DeviceLink(
      sessionId,
      input.key,
      input.model,
      input.protocol,
      this.opts,
      accepted,
      this,
    );
    this.links.set(sessionId, { link, control: input.control });
    this.opts.metrics.admissions.inc({ outcome: 'admitted' });
    this.opts.metrics.connections.inc({ protocol: input.protocol });
    this.opts.metrics.messages.inc({ protocol: input.protocol, kind: 'connect' });
    accepted.then(
      () => {
        this.opts.metrics.twinConnects.inc({ outcome: 'accepted' });
        this.opts.copies?.deliver(input.key, input.model, {
          kind: 'connected',
          sessionId,
          protocol: input.protocol,
        });
        this.opts.logger.info(link.bindings, 'device connected');
      },
      (error: unknown) => {
        this.opts.metrics.twinConnects.inc({ outcome: 'failed' });
        const closed = error instanceof DoppelError && error.code === 'twin:device.closed';
        this.opts.logger[closed ? 'info' : 'error'](
          { ...link.bindings, err: error },
          'connection not recorded',
        );
        if (this.links.has(sessionId))
          input.control.close(
            closed ? 4403 : 1013,
            closed ? error.message : 'twin unavailable, try again later',
          );
      },
    );
    return link;
  }

  /** A link's connection ended (called once by the link). */
  forget(link: DeviceLink): void {
    this.links.delete(link.sessionId);
    this.opts.metrics.connections.dec({ protocol: link.protocol });
    this.opts.onForget?.(link.key);
  }

  control(sessionId: string): SessionControl | undefined {
    return this.links.get(sessionId)?.control;
  }

  /**
   * The gateway or the device's twin closes a connection (its history says `server-closed`);
   * false when this process holds no such session.
   */
  closeSession(sessionId: string, code: number, reason: string): boolean {
    const held = this.links.get(sessionId);
    if (!held) return false;
    held.link.closedByServer();
    held.control.close(code, reason);
    return true;
  }

  /** Closes every connection (shutdown); each link then reports its disconnect. */
  closeAll(code: number, reason: string): void {
    for (const { link } of [...this.links.values()])
      this.closeSession(link.sessionId, code, reason);
  }

  get size(): number {
    return this.links.size;
  }
}

/** One authenticated device connection, as its twin knows it (a session). */
export class DeviceLink {
  /** Reports are normalised in arrival order, whatever each costs. */
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** Why the twin could not be told of the connect, once that is known. */
  private refusal: unknown = null;
  /** The twin accepted the connect. */
  private told = false;
  /** Made on first use: an idle connection does not carry a child logger (memory per connection). */
  private childLogger: Logger | null = null;
  /** The traffic of the connection, for its history (frames or MQTT packets, and bytes). */
  private messagesIn = 0;
  private messagesOut = 0;
  private bytesIn = 0;
  private bytesOut = 0;
  private byServer = false;

  constructor(
    readonly sessionId: string,
    readonly key: DeviceKey,
    readonly model: string | null,
    readonly protocol: string,
    private readonly opts: DeviceLinksOptions,
    /** Settles when the twin accepted (or could not be told of) the connect. */
    private readonly accepted: Promise<void>,
    /** Not a closure: one made in `open` would keep its whole scope for the link's life. */
    private readonly links: Pick<DeviceLinks, 'forget'>,
  ) {
    // Reports wait for the connect: a twin ignores reports of a session it does not know.
    // (The connection itself is closed where the link was opened.)
    this.chain = accepted.then(
      () => {
        this.told = true;
      },
      (error: unknown) => {
        this.refusal = error;
      },
    );
  }

  /** What every log line about this connection carries. */
  get bindings() {
    return {
      tenant: this.key.tenantId,
      device: this.key.deviceId,
      session: this.sessionId,
      protocol: this.protocol,
    };
  }

  get logger(): Logger {
    return (this.childLogger ??= this.opts.logger.child(this.bindings));
  }

  /**
   * Normalises the report and hands it to the ingest writer without waiting for the previous
   * one to be committed, so a chatty device's reports share batches. Resolves after the COMMIT
   * that holds it: the moment the device may be acknowledged. A report the record refuses (a
   * retired device, a session that is no longer the open one) is counted and acknowledged, as
   * a repeat is: there is nothing the device could send instead.
   */
  report(seq: number, raw: Record<string, unknown>): Promise<void> {
    return messageSpan('device report', this, seq, () => this.submitReport(seq, raw));
  }

  private submitReport(seq: number, raw: Record<string, unknown>): Promise<void> {
    this.opts.metrics.messages.inc({ protocol: this.protocol, kind: 'report' });
    const stopTimer = this.opts.metrics.ackSeconds.startTimer();
    const accepted = () => {
      stopTimer();
      this.opts.metrics.reports.inc({ protocol: this.protocol });
    };
    return new Promise<void>((resolve, reject) => {
      this.chain = this.chain.then(async () => {
        if (this.refusal) return reject(this.refusal);
        try {
          const { state, flags } = await this.opts.normalise(this.key, this.model, raw);
          const command: IngestCommand = {
            type: 'report',
            at: now(),
            sessionId: this.sessionId,
            seq,
            state,
            flags,
          };
          submitIngest(this.opts, this.key, this.model, command).then((outcome) => {
            if ('rejection' in outcome)
              this.opts.metrics.refuse(this.protocol, outcome.rejection.code);
            accepted();
            this.opts.copies?.deliver(this.key, this.model, {
              kind: 'report',
              sessionId: this.sessionId,
              seq,
              state,
            });
            resolve();
          }, reject);
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /**
   * Stores measurements, normalised by the device's profile, in the next telemetry batch.
   * Resolves after the COMMIT that holds them.
   */
  telemetry(samples: Samples): Promise<void> {
    return messageSpan('device telemetry', this, samples.length, () => this.write(samples));
  }

  private async write(samples: Samples): Promise<void> {
    this.opts.metrics.messages.inc({ protocol: this.protocol, kind: 'telemetry' });
    const stopTimer = this.opts.metrics.ackSeconds.startTimer();
    const rows = await Promise.all(
      samples.map(async (s) => {
        const { state } = await this.opts.normalise(this.key, this.model, s.values);
        return {
          tenantId: this.key.tenantId,
          deviceId: this.key.deviceId,
          at: s.at,
          values: state,
          channel: s.channel ?? '',
        };
      }),
    );
    await this.opts.telemetry.write(rows);
    stopTimer();
    this.copy(() => ({
      kind: 'telemetry',
      samples: rows.map(({ at, values, channel }) => ({ at, values, channel })),
    }));
    this.opts.metrics.telemetrySamples.inc({ protocol: this.protocol }, rows.length);
  }

  /** The adapter received `messages` (frames, or MQTT packets) of `bytes` in all from the device. */
  received(bytes: number, messages = 1): void {
    this.messagesIn += messages;
    this.bytesIn += bytes;
  }

  /** The adapter sent a message of `bytes` to the device. */
  sent(bytes: number): void {
    this.messagesOut++;
    this.bytesOut += bytes;
  }

  /** The gateway (or the twin through it) is closing this connection, not the device. */
  closedByServer(): void {
    this.byServer = true;
  }

  /** The connection is gone; the twin hears why (after its grace period, it is offline). */
  close(reason: OfflineReason): void {
    if (this.closed) return;
    this.closed = true;
    this.links.forget(this);
    this.opts.metrics.messages.inc({ protocol: this.protocol, kind: 'disconnect' });
    this.opts.logger.info({ ...this.bindings, reason }, 'device disconnected');
    const command: IngestCommand = {
      type: 'disconnect',
      at: now(),
      sessionId: this.sessionId,
      reason,
    };
    const ending: SessionEnding = {
      reason: endReason(reason, this.byServer),
      traffic: {
        messagesIn: this.messagesIn,
        messagesOut: this.messagesOut,
        bytesIn: this.bytesIn,
        bytesOut: this.bytesOut,
      },
    };
    submitIngest(this.opts, this.key, this.model, command, ending).catch((error) =>
      this.logger.error({ err: error }, 'disconnect not recorded'),
    );
    this.copy(() => ({ kind: 'disconnected', sessionId: this.sessionId, reason }));
  }

  /** Copies for the webhook backends keep the device's order: none before its "connected". */
  private copy(event: () => DeviceEvent): void {
    const copies = this.opts.copies;
    if (!copies) return;
    if (this.told) return copies.deliver(this.key, this.model, event());
    this.accepted.then(
      () => copies.deliver(this.key, this.model, event()),
      () => undefined,
    );
  }
}

/**
 * What the connection history calls an ending: a device that merely closed is `device-closed`
 * unless the gateway closed it; a missed heartbeat, a will or a lost gateway stay what they are.
 */
function endReason(reason: OfflineReason, byServer: boolean): SessionEndReason {
  if (reason !== 'disconnected') return reason;
  return byServer ? 'server-closed' : 'device-closed';
}

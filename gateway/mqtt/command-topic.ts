import type { Packet } from 'mqtt-packet';
import type { CommandOutcome } from '../../twins/device';
import type { OutboundFlight } from './outbound-flight';
import type { OwnTopic } from './subscriptions';

/** What the twin asks the connection to deliver. */
export interface CommandRequest {
  readonly id: string;
  readonly name: string;
  readonly params: Record<string, unknown>;
  readonly timeoutMs: number;
  /** After this the twin no longer wants it delivered (ms since the epoch); null: no limit. */
  readonly expiresAt: number | null;
}

/** The device's answer, from the command-results topic. */
export interface CommandAnswer {
  readonly id: string;
  readonly status: 'accepted' | 'rejected' | 'failed';
  readonly result: Record<string, unknown> | null;
}

/** An outcome, or null: the device never had it (or may not have), the twin sends it again. */
type Settled = CommandOutcome | null;

interface Waiting {
  readonly request: CommandRequest;
  readonly settled: Promise<Settled>;
  settle(outcome: Settled): void;
  timer: NodeJS.Timeout;
  published: boolean;
}

const EXPIRED: CommandOutcome = {
  status: 'expired',
  result: { reason: 'expired before delivery' },
};
const STATUS = { accepted: 'succeeded', rejected: 'rejected', failed: 'failed' } as const;

/**
 * A device's commands (docs/mqtt.md): each is published (QoS 1, or 0 if the device subscribed
 * so) to its own topic under the device's command filter once the device subscribed, and waits for the answer the device
 * publishes to its command-results topic. MQTT 5 carries the answer's address as Response Topic
 * and the command id as Correlation Data; 3.1.1 devices find both in the payload convention.
 * A command that did not get its answer before the connection ended goes back to the twin,
 * which sends it again on the next connection.
 */
export class CommandTopic implements OwnTopic {
  private subscribed = false;
  /** The QoS the device subscribed with: commands go at QoS 1 unless it asked for 0. */
  private qos: 0 | 1 = 1;
  private closed = false;
  /** In the order the twin sent them: published in that order. Made with the first command. */
  private waitingMap: Map<string, Waiting> | null = null;

  constructor(
    /** Asked only once the session is ready: the device is known by then. */
    private readonly topics: () => {
      filter: string;
      of: (id: string) => string;
      results: string;
    },
    private readonly version: 4 | 5,
    private readonly flight: OutboundFlight,
    private readonly send: (packet: Packet) => void,
  ) {
    flight.onRoom(() => this.flush());
  }

  private get waiting(): Map<string, Waiting> {
    return (this.waitingMap ??= new Map());
  }

  get filter(): string {
    return this.topics().filter;
  }

  setSubscribed(on: boolean, qos: 0 | 1): void {
    this.subscribed = on;
    this.qos = qos;
    this.flush();
  }

  /** Resolves with the device's answer, a timeout, or null when the connection ended first. */
  deliver(request: CommandRequest): Promise<Settled> {
    if (this.closed) return Promise.resolve(null);
    // The same command again (an activity retried): it shares the first one's answer.
    const known = this.waitingMap?.get(request.id);
    if (known) return known.settled;
    let settle!: (outcome: Settled) => void;
    const settled = new Promise<Settled>((resolve) => (settle = resolve));
    const entry: Waiting = {
      request,
      settled,
      settle,
      published: false,
      timer: setTimeout(() => this.timedOut(entry), request.timeoutMs),
    };
    this.waiting.set(request.id, entry);
    this.flush();
    return settled;
  }

  /** False when no command with this id waits for an answer (late, duplicate or unknown). */
  answer(answer: CommandAnswer): boolean {
    const entry = this.waitingMap?.get(answer.id);
    if (!entry?.published) return false;
    this.finish(entry, { status: STATUS[answer.status], result: answer.result });
    return true;
  }

  /** The connection is gone: every command without an answer goes back to the twin. */
  closeAll(): void {
    this.closed = true;
    for (const entry of [...(this.waitingMap?.values() ?? [])]) this.finish(entry, null);
  }

  private timedOut(entry: Waiting): void {
    const { timeoutMs, expiresAt } = entry.request;
    if (!entry.published && expiresAt !== null && expiresAt <= Date.now())
      return this.finish(entry, EXPIRED);
    const reason = entry.published
      ? `no answer within ${timeoutMs} ms`
      : `the device did not subscribe to its command topic (…/commands/+) within ${timeoutMs} ms`;
    this.finish(entry, { status: 'timed-out', result: { reason } });
  }

  private finish(entry: Waiting, outcome: Settled): void {
    clearTimeout(entry.timer);
    this.waitingMap?.delete(entry.request.id);
    entry.settle(outcome);
  }

  private flush(): void {
    if (!this.subscribed) return;
    for (const entry of [...(this.waitingMap?.values() ?? [])]) {
      if (entry.published) continue;
      const { expiresAt } = entry.request;
      const now = Date.now();
      // A command must not reach the device after its time-to-live, even when the twin's
      // timer and the device's connect met in the same moment.
      if (expiresAt !== null && expiresAt <= now) {
        this.finish(entry, EXPIRED);
        continue;
      }
      // At QoS 0 there is no packet id and nothing to wait for (spec 3.8.4: the granted QoS).
      const messageId = this.qos === 0 ? undefined : this.flight.take();
      if (messageId === null) return;
      entry.published = true;
      this.send(this.publish(entry.request, messageId, now));
    }
  }

  private publish(request: CommandRequest, messageId: number | undefined, now: number): Packet {
    const { id, name, params, expiresAt } = request;
    const topics = this.topics();
    const payload = {
      id,
      name,
      params,
      ...(expiresAt === null ? {} : { expiresAt: new Date(expiresAt).toISOString() }),
    };
    return {
      cmd: 'publish',
      topic: topics.of(id),
      qos: messageId === undefined ? 0 : 1,
      dup: false,
      retain: false,
      ...(messageId === undefined ? {} : { messageId }),
      payload: Buffer.from(JSON.stringify(payload)),
      ...(this.version === 5
        ? {
            properties: {
              responseTopic: topics.results,
              correlationData: Buffer.from(id),
              contentType: 'application/json',
              ...(expiresAt === null
                ? {}
                : { messageExpiryInterval: Math.max(1, Math.ceil((expiresAt - now) / 1000)) }),
            },
          }
        : {}),
    };
  }
}

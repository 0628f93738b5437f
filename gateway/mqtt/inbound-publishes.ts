import type { IPubackPacket, IPublishPacket } from 'mqtt-packet';
import type { DeviceLink } from '../device-links';
import type { MqttLimits } from './connect-request';
import { Reason, mqttError } from './reason-codes';
import { logLines, telemetrySamples } from '../json/messages';
import type { DeviceLogSink } from '../device-log-sink';
import { checkTopic, commandResultsTopic, logTopic, reportTopic, telemetryTopic } from './topics';
import { readCommandAnswer } from './command-answer';
import type { CommandAnswer } from './command-topic';

export interface InboundOptions {
  version: 4 | 5;
  limits: MqttLimits;
  link: DeviceLink;
  send(packet: IPubackPacket): void;
  /** Counts a publish refused with a negative PUBACK (the connection stays). */
  refused(code: string): void;
  /** A report the twin did not take: the connection ends so the device sends it again. */
  fail(error: unknown): void;
  /** The device's answer to a command; false when no command with its id waits for one. */
  answer(answer: CommandAnswer): boolean;
  /** Where log-topic lines go. */
  logs: DeviceLogSink;
}

/**
 * The device's PUBLISH packets: each report goes to the twin with a gateway-assigned sequence
 * number, strictly increasing per connection, and a QoS 1 report is acknowledged only once the
 * twin accepted it. PUBACKs leave in the order the PUBLISHes came (spec 4.6), whatever order
 * the twin accepts them in. Throws for what the spec says ends the connection.
 */
export class InboundPublishes {
  private seq: number;
  private acks: Promise<void> = Promise.resolve();
  /** QoS 1 packet ids whose report is not yet acknowledged. */
  private readonly inFlight = new Set<number>();
  /** Packet ids acknowledged and not reused since: a DUP of one is acknowledged again, not applied. */
  private readonly acked = new Set<number>();
  private readonly aliases = new Map<number, string>();
  /** 3.1.1 announces no Receive Maximum; a wider bound still keeps memory in check. */
  private readonly maxInFlight: number;

  /** `firstSeq` is the sequence number of the connect: reports continue after it. */
  constructor(
    private readonly opts: InboundOptions,
    firstSeq: number,
  ) {
    this.seq = firstSeq;
    this.maxInFlight =
      opts.version === 5 ? opts.limits.receiveMaximum : opts.limits.receiveMaximum * 4;
  }

  receive(packet: IPublishPacket): void {
    const v5 = this.opts.version === 5;
    if (packet.qos === 2)
      throw mqttError('qos-not-supported', 'the gateway accepts QoS 0 and 1 (Maximum QoS 1)');
    if (packet.retain && v5)
      throw mqttError('retain-not-supported', 'retained messages are not available');
    const topic = this.topicOf(packet);
    checkTopic(topic, 'name');
    const id = packet.messageId ?? 0;
    if (packet.qos === 1) {
      if (this.inFlight.has(id)) {
        // Its original is still on its way to the twin; the original's PUBACK answers both.
        if (packet.dup) return;
        throw mqttError('protocol-error', `packet id ${id} is still in use`);
      }
      if (packet.dup && this.acked.has(id)) return this.answer(id, Reason.success);
      this.acked.delete(id);
      if (this.inFlight.size >= this.maxInFlight) {
        throw mqttError(
          v5 ? 'receive-maximum-exceeded' : 'quota-exceeded',
          `more than ${this.maxInFlight} QoS 1 publishes in flight`,
        );
      }
    }
    if (topic === commandResultsTopic(this.opts.link.key)) return this.commandAnswer(packet, id);
    const telemetry = topic === telemetryTopic(this.opts.link.key);
    const log = topic === logTopic(this.opts.link.key);
    if (!telemetry && !log && topic !== reportTopic(this.opts.link.key)) {
      if (!v5) throw mqttError('topic-not-allowed', `publishing to ${topic} is not allowed`);
      this.opts.refused('gateway:mqtt.topic-not-allowed');
      return packet.qos === 1 ? this.answer(id, Reason.notAuthorized) : undefined;
    }
    const state = readState(packet.payload);
    const samples = telemetry ? telemetrySamples.safeParse(state?.samples) : null;
    const lines = log ? logLines.safeParse(state?.lines) : null;
    if (!state || (samples && !samples.success) || (lines && !lines.success)) {
      const what = telemetry
        ? '{ "samples": [{ "at": ISO time, "values": {...} }] }'
        : log
          ? '{ "lines": [{ "at": ISO time, "level", "text" }] }'
          : 'a JSON object';
      return this.refusePayload(packet, what);
    }
    // Measurements and log lines go to their stores (acked after COMMIT), state to the twin.
    const stored = samples?.success
      ? this.opts.link.telemetry(samples.data)
      : lines?.success
        ? this.opts.logs.write(this.opts.link.key, 'mqtt', lines.data).then(() => undefined)
        : this.opts.link.report(++this.seq, state);
    // At most once: a lost QoS 0 report is within its contract. A QoS 1 failure is handled
    // in the ack chain, which may reach it only later.
    stored.catch((err: unknown) => this.opts.link.logger.warn({ err }, 'report not stored'));
    if (packet.qos === 0) return;
    this.inFlight.add(id);
    this.acks = this.acks
      .then(() => stored)
      .then(() => {
        this.inFlight.delete(id);
        this.acked.add(id);
        this.opts.send(puback(id, Reason.success, v5));
      })
      .catch((err: unknown) => this.opts.fail(err));
  }

  /**
   * An answer is taken at once (the twin's activity carries it on), so its PUBACK follows in
   * turn. One for a command nobody waits for (late, answered already, unknown) is counted; MQTT 5
   * hears "no matching subscribers", 3.1.1 a plain PUBACK: resending it would not help.
   */
  private commandAnswer(packet: IPublishPacket, id: number): void {
    const answer = readCommandAnswer(packet);
    if (!answer) return this.refusePayload(packet, '{ "id", "status", "result" }');
    const taken = this.opts.answer(answer);
    if (!taken) this.opts.refused('gateway:mqtt.unknown-command');
    if (packet.qos === 1)
      this.answer(
        id,
        taken || this.opts.version === 4 ? Reason.success : Reason.noMatchingSubscribers,
      );
  }

  /** A payload without its topic's form: MQTT 5 hears 0x99, 3.1.1 is disconnected. */
  private refusePayload(packet: IPublishPacket, what: string): void {
    if (this.opts.version === 4)
      throw mqttError('payload-format-invalid', `the payload must be ${what}`);
    this.opts.refused('gateway:mqtt.payload-format-invalid');
    if (packet.qos === 1) this.answer(packet.messageId ?? 0, Reason.payloadFormatInvalid);
  }

  /** MQTT 5 topic aliases: a name sets an alias, an empty name uses it (spec 3.3.2.3.4). */
  private topicOf(packet: IPublishPacket): string {
    const alias = packet.properties?.topicAlias;
    if (alias === undefined) {
      if (packet.topic === '') throw mqttError('protocol-error', 'empty topic without an alias');
      return packet.topic;
    }
    if (alias === 0 || alias > this.opts.limits.topicAliasMaximum) {
      throw mqttError(
        'topic-alias-invalid',
        `topic alias must be 1..${this.opts.limits.topicAliasMaximum}`,
      );
    }
    if (packet.topic !== '') {
      this.aliases.set(alias, packet.topic);
      return packet.topic;
    }
    const known = this.aliases.get(alias);
    if (known === undefined) throw mqttError('protocol-error', `topic alias ${alias} is not set`);
    return known;
  }

  /** Answers in turn, after the acknowledgements of earlier publishes. */
  private answer(id: number, reasonCode: number): void {
    const v5 = this.opts.version === 5;
    this.acks = this.acks
      .then(() => this.opts.send(puback(id, reasonCode, v5)))
      .catch((err: unknown) => this.opts.fail(err));
  }
}

const puback = (messageId: number, reasonCode: number, v5: boolean): IPubackPacket =>
  v5 ? { cmd: 'puback', messageId, reasonCode } : { cmd: 'puback', messageId };

function readState(payload: Buffer | string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(payload.toString());
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

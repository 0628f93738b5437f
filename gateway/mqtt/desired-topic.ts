import type { ISubscribePacket, IUnsubscribePacket, Packet } from 'mqtt-packet';
import { answerSubscribe, answerUnsubscribe } from './subscriptions';

/**
 * A device's desired topic: its subscription and the desired-state deltas on their way to it.
 * Only the latest delta matters (each is the whole difference at its shadow version), so while
 * the device has not subscribed, or has as many of our QoS 1 publishes unacknowledged as its
 * Receive Maximum allows, the newest one waits here and replaces any older one.
 */
export class DesiredTopic {
  private subscribed = false;
  private waiting: { version: number; state: Record<string, unknown> } | null = null;
  private lastVersion = -1;
  private readonly inFlight = new Set<number>();
  private nextId = 0;

  constructor(
    /** Asked only once the session is ready: the device is known by then. */
    private readonly topic: () => string,
    /** The client's Receive Maximum (MQTT 5; 3.1.1 has none, 65,535 is the spec's default). */
    private readonly clientReceiveMaximum: number,
    private readonly version: 4 | 5,
    private readonly send: (packet: Packet) => void,
  ) {}

  push(version: number, state: Record<string, unknown>): void {
    // Deltas may arrive out of order (activity retries); an older one is already outdated.
    if (version < this.lastVersion || (this.waiting && version < this.waiting.version)) return;
    this.waiting = { version, state };
    this.flush();
  }

  /** Answers SUBSCRIBE; true when a filter was refused (only the own topic is allowed). */
  subscribe(packet: ISubscribePacket): boolean {
    const { suback, subscribed, refused } = answerSubscribe(packet, this.topic(), this.version);
    this.send(suback);
    // After the SUBACK, so the device knows the subscription before the delta arrives.
    if (subscribed) {
      this.subscribed = true;
      this.flush();
    }
    return refused;
  }

  unsubscribe(packet: IUnsubscribePacket): void {
    const own = this.topic();
    const answer = answerUnsubscribe(packet, own, this.subscribed, this.version);
    if (answer.unsubscribed) this.subscribed = false;
    this.send(answer.unsuback);
  }

  acked(messageId: number): void {
    if (this.inFlight.delete(messageId)) this.flush();
  }

  private flush(): void {
    if (!this.subscribed || !this.waiting) return;
    if (this.inFlight.size >= this.clientReceiveMaximum) return;
    const { version, state } = this.waiting;
    this.waiting = null;
    this.lastVersion = version;
    const messageId = this.allocateId();
    this.inFlight.add(messageId);
    this.send({
      cmd: 'publish',
      topic: this.topic(),
      qos: 1,
      dup: false,
      retain: false,
      messageId,
      payload: Buffer.from(JSON.stringify({ version, state })),
    });
  }

  /** Packet ids run 1..65535 and skip the ones still unacknowledged (spec 2.2.1). */
  private allocateId(): number {
    do this.nextId = (this.nextId % 0xffff) + 1;
    while (this.inFlight.has(this.nextId));
    return this.nextId;
  }
}

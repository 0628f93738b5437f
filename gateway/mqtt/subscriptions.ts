import type {
  ISubackPacket,
  ISubscribePacket,
  IUnsubackPacket,
  IUnsubscribePacket,
  Packet,
} from 'mqtt-packet';
import { Reason, SUBACK_FAILURE_V4 } from './reason-codes';
import { checkTopic } from './topics';

/** A topic the gateway publishes to a device, once the device subscribed with its filter. */
export interface OwnTopic {
  /** Asked only once the session is ready: the device is known by then. */
  readonly filter: string;
  /** `qos`: the QoS granted (the gateway's publishes to the topic go at most at it). */
  setSubscribed(on: boolean, qos: 0 | 1): void;
}

/**
 * A device may subscribe only to its own filters (its desired topic, its command filter), at
 * QoS 0 or 1 (higher is granted as 1). Any other filter, wildcards included, is refused in the
 * SUBACK; the connection stays up, as the spec intends for a refused subscription.
 */
export class DeviceSubscriptions {
  /** The filters the device is subscribed with now. */
  private readonly active = new Set<string>();

  constructor(
    private readonly topics: readonly OwnTopic[],
    private readonly version: 4 | 5,
    private readonly send: (packet: Packet) => void,
  ) {}

  /** Answers SUBSCRIBE; true when a filter was refused. */
  subscribe(packet: ISubscribePacket): boolean {
    const own = this.topics.map((t) => t.filter);
    const { suback, subscribed, refused } = answerSubscribe(packet, own, this.version);
    this.send(suback);
    for (const topic of this.topics) {
      const qos = subscribed.get(topic.filter);
      if (qos === undefined) continue;
      this.active.add(topic.filter);
      topic.setSubscribed(true, qos);
    }
    return refused;
  }

  unsubscribe(packet: IUnsubscribePacket): void {
    const own = this.topics.map((t) => t.filter);
    const answer = answerUnsubscribe(packet, own, this.active, this.version);
    for (const topic of this.topics) {
      if (!answer.unsubscribed.has(topic.filter)) continue;
      this.active.delete(topic.filter);
      topic.setSubscribed(false, 0);
    }
    this.send(answer.unsuback);
  }
}

function answerSubscribe(
  packet: ISubscribePacket,
  ownFilters: readonly string[],
  version: 4 | 5,
): { suback: ISubackPacket; subscribed: Map<string, 0 | 1>; refused: boolean } {
  for (const { topic } of packet.subscriptions) checkTopic(topic, 'filter');
  const refusal = version === 5 ? Reason.notAuthorized : SUBACK_FAILURE_V4;
  const own = (topic: string) => ownFilters.includes(topic);
  const subscribed = new Map<string, 0 | 1>();
  const granted = packet.subscriptions.map(({ topic, qos }) => {
    if (!own(topic)) return refusal;
    const grant = qos === 0 ? 0 : 1;
    subscribed.set(topic, grant);
    return grant;
  });
  return {
    suback: { cmd: 'suback', messageId: packet.messageId ?? 0, granted },
    subscribed,
    refused: packet.subscriptions.some(({ topic }) => !own(topic)),
  };
}

function answerUnsubscribe(
  packet: IUnsubscribePacket,
  ownFilters: readonly string[],
  active: ReadonlySet<string>,
  version: 4 | 5,
): { unsuback: IUnsubackPacket; unsubscribed: Set<string> } {
  for (const topic of packet.unsubscriptions) checkTopic(topic, 'filter');
  const unsubscribed = new Set(packet.unsubscriptions.filter((t) => ownFilters.includes(t)));
  // 3.1.1's UNSUBACK carries no codes; MQTT 5 says per filter whether there was anything to end.
  const granted =
    version === 5
      ? packet.unsubscriptions.map((topic) =>
          active.has(topic) ? Reason.success : Reason.noSubscriptionExisted,
        )
      : [];
  return { unsuback: { cmd: 'unsuback', messageId: packet.messageId ?? 0, granted }, unsubscribed };
}

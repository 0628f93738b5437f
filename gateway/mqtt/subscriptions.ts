import type {
  ISubackPacket,
  ISubscribePacket,
  IUnsubackPacket,
  IUnsubscribePacket,
} from 'mqtt-packet';
import { Reason, SUBACK_FAILURE_V4 } from './reason-codes';
import { checkTopic } from './topics';

/**
 * A device may subscribe to exactly one filter: its own desired topic, at QoS 0 or 1 (higher
 * is granted as 1). Any other filter, wildcards included, is refused in the SUBACK; the
 * connection stays up, as the spec intends for a refused subscription.
 */
export function answerSubscribe(
  packet: ISubscribePacket,
  ownTopic: string,
  version: 4 | 5,
): { suback: ISubackPacket; subscribed: boolean; refused: boolean } {
  for (const { topic } of packet.subscriptions) checkTopic(topic, 'filter');
  const refused = version === 5 ? Reason.notAuthorized : SUBACK_FAILURE_V4;
  const granted = packet.subscriptions.map(({ topic, qos }) =>
    topic === ownTopic ? Math.min(qos, 1) : refused,
  );
  return {
    suback: { cmd: 'suback', messageId: packet.messageId ?? 0, granted },
    subscribed: packet.subscriptions.some(({ topic }) => topic === ownTopic),
    refused: packet.subscriptions.some(({ topic }) => topic !== ownTopic),
  };
}

export function answerUnsubscribe(
  packet: IUnsubscribePacket,
  ownTopic: string,
  wasSubscribed: boolean,
  version: 4 | 5,
): { unsuback: IUnsubackPacket; unsubscribed: boolean } {
  for (const topic of packet.unsubscriptions) checkTopic(topic, 'filter');
  const unsubscribed = packet.unsubscriptions.includes(ownTopic);
  // 3.1.1's UNSUBACK carries no codes; MQTT 5 says per filter whether there was anything to end.
  const granted =
    version === 5
      ? packet.unsubscriptions.map((topic) =>
          topic === ownTopic && wasSubscribed ? Reason.success : Reason.noSubscriptionExisted,
        )
      : [];
  return { unsuback: { cmd: 'unsuback', messageId: packet.messageId ?? 0, granted }, unsubscribed };
}

import type { DeviceLinks } from './device-links';

/**
 * Message size limits, and uWS's own cuts, on every device endpoint.
 *
 * uWS closes a connection whose message is over its `maxPayloadLength`, or whose text frame is
 * not UTF-8, at the frame layer and without a close frame: the peer sees 1006, and the close
 * handler gets 1006 with a reason (the uWS maintainers keep it so by design, uWS issue #1321).
 * So the gateway lets uWS take messages up to OVERSIZE_FACTOR × its limit and refuses one
 * over the limit itself, with a close frame (1009; MQTT 5 sends DISCONNECT 0x95 first). Only a
 * message over that larger bound is cut without a word — memory per connection stays bounded
 * by it. Every cut, and every refusal, is counted by protocol and code.
 */
export const OVERSIZE_FACTOR = 4;

/** RFC 6455 §7.4.1: a message too big to process. */
export const MESSAGE_TOO_BIG = 1009;

/** What uWS may buffer of one message on an endpoint whose limit is `limit` bytes. */
export const uwsPayloadLimit = (limit: number): number =>
  Math.max(limit * OVERSIZE_FACTOR, limit + 64 * 1024);

/** The refusal code of a message over the limit, on every protocol. */
export const TOO_LARGE = 'gateway:message.too-large';

/** The close reason that names the limit (a close reason is at most 123 bytes). */
export const tooLargeReason = (limit: number): string => `messages are at most ${limit} bytes`;

/** The reasons uWS gives (with 1006) when it cuts a connection for what the peer sent. */
const CUTS: ReadonlyArray<[prefix: string, code: string]> = [
  ['Received too big message', TOO_LARGE],
  ['Received invalid UTF-8', 'gateway:message.invalid-utf8'],
  ['Received invalid WebSocket frame', 'gateway:websocket.invalid-frame'],
  ['Received invalid close payload', 'gateway:websocket.invalid-frame'],
];

/**
 * Counts a connection uWS cut for what its peer sent (1006 with one of uWS's reasons) as a
 * refused input of `protocol`; returns the code, or null for any other end.
 */
export function countCut(
  links: Pick<DeviceLinks, 'refuse'>,
  protocol: string,
  code: number,
  reason: ArrayBuffer,
): string | null {
  if (code !== 1006) return null;
  const text = Buffer.from(reason).toString('utf8');
  const cut = CUTS.find(([prefix]) => text.startsWith(prefix));
  if (!cut) return null;
  links.refuse(protocol, cut[1]);
  return cut[1];
}

import type { IConnectPacket } from 'mqtt-packet';
import { DoppelError } from '../../twins/errors';
import type { DeviceLink, DeviceLinks, SessionControl } from '../device-links';
import { readConnectRequest, type ConnectRequest, type Refusal } from './connect-request';

export type ConnectOutcome =
  | { admitted: true; request: ConnectRequest; link: DeviceLink }
  /** `refusal` is null when the socket closed meanwhile: there is nobody left to answer. */
  | { admitted: false; refusal: Refusal | null };

/** The connect is the twin's message 1; the device's reports follow from 2. */
export const CONNECT_SEQ = 1;

/**
 * Decides whether a CONNECT is let in: a supported protocol level, credentials that name a
 * device and match its token, and a twin that accepted the connection.
 */
export async function admitConnect(
  packet: IConnectPacket,
  links: DeviceLinks,
  control: SessionControl,
  gone: () => boolean,
  from: { source: string },
): Promise<ConnectOutcome> {
  const refused = (refusal: Refusal): ConnectOutcome => ({ admitted: false, refusal });
  if (packet.protocolVersion !== 4 && packet.protocolVersion !== 5)
    return refused('unsupported-version');
  // Enhanced authentication (MQTT 5 AUTH) is not offered; the token is the password.
  if (packet.properties?.authenticationMethod) return refused('bad-auth');
  const read = readConnectRequest(packet);
  if (!read) return refused('not-authorized');
  // 3.1.1 assigns an id only to a clean session (spec 3.1.3-7).
  if (packet.protocolVersion === 4 && read.assigned && !packet.clean)
    return refused('identifier-rejected');
  // Too many failed logins lock a device out for a while (gateway/auth-failures.ts).
  if (links.loginLockedFor(read.key, from.source) > 0) return refused('rate-exceeded');
  const failed = (refusal: Refusal, code: string): ConnectOutcome => {
    links.loginFailed(read.key, from.source, code);
    return refused(refusal);
  };
  // A claim turns into the device's own secret, which the CONNACK then carries.
  const secret = read.claim ? await links.claim(read.key, read.claim) : read.secret;
  if (gone()) return { admitted: false, refusal: null };
  if (secret === null) return failed('not-authorized', 'gateway:auth.claim-refused');
  const request = { ...read, secret };
  const admitted = await links.authenticate(request.key, request.secret);
  if (gone()) return { admitted: false, refusal: null };
  if (!admitted) return failed('not-authorized', 'gateway:auth.refused');
  links.loginSucceeded(request.key);
  let link: DeviceLink;
  try {
    link = await links.open({
      key: request.key,
      model: admitted.model,
      seq: CONNECT_SEQ,
      protocol: 'mqtt',
      control,
    });
  } catch (err) {
    // A device that reconnects too often is cooled down by the gateway's admission control.
    if (err instanceof DoppelError && err.code === 'gateway:admission.flapping')
      return refused('rate-exceeded');
    links.logger.error({ err }, 'twin did not accept the connection');
    return refused('server-unavailable');
  }
  if (!gone()) return { admitted: true, request, link };
  // Closed while the twin was told: it hears the end at once, as from any lost connection.
  link.close(packet.will ? 'will' : 'disconnected');
  return { admitted: false, refusal: null };
}

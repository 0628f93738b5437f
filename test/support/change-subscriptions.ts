import { eventually, graphql, sseSubscription } from './graphql';
import { wsSubscription } from './ws-subscription';

export type Transport = 'graphql-ws' | 'sse';
export const TRANSPORTS: Transport[] = ['graphql-ws', 'sse'];

export const DEVICE_CHANGES = /* GraphQL */ `
  subscription ($t: ID!, $d: ID, $s: ID, $k: [String!], $a: ID) {
    deviceChanged(tenantId: $t, deviceId: $d, siteId: $s, kinds: $k, after: $a) {
      cursor
      kind
      version
      device {
        deviceId
        tags
        lifecycle {
          state
        }
      }
    }
  }
`;
const SET_TAGS = `mutation ($i: SetDeviceTagsInput!) { setDeviceTags(input: $i) { version } }`;
const TRANSITION = `mutation ($i: TransitionDeviceInput!) { transitionDevice(input: $i) { version } }`;

/** A subscription over either transport, as its results (`data` or `errors`) come in. */
export interface OpenSubscription {
  results(): Array<{ data?: any; errors?: any[] }>;
  close(): Promise<void>;
}

export async function subscribe(
  transport: Transport,
  apiUrl: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<OpenSubscription> {
  if (transport === 'sse') {
    const sse = await sseSubscription(apiUrl, query, variables, (event) => event);
    return { results: () => sse.events, close: () => sse.close() };
  }
  const ws = wsSubscription(apiUrl, query, variables);
  return {
    // A refusal arrives as graphql-ws's `error` message: the errors of the subscribe call.
    results: () => [
      ...ws.payloads,
      ...ws.refusals.map((r) => ({ errors: Array.isArray(r) ? r : [r] })),
    ],
    close: () => ws.close(),
  };
}

/** The events of one root field a subscription delivered so far. */
export const eventsOf = (sub: OpenSubscription, field = 'deviceChanged'): any[] =>
  sub
    .results()
    .filter((r) => r.data?.[field])
    .map((r) => r.data[field]);

/** The error codes a subscription got so far. */
export const codesOf = (sub: OpenSubscription): string[] =>
  sub
    .results()
    .flatMap((r) => r.errors ?? [])
    .map((e) => e.extensions?.code);

/** Waits until the subscription delivered the event of `deviceId` at `version`. */
export const deliveredVersion = (sub: OpenSubscription, deviceId: string, version: number) =>
  eventually(async () =>
    eventsOf(sub).find((e) => e.device.deviceId === deviceId && e.version === version),
  );

/** Changes the device's tags through the API; resolves with the twin version it produced. */
export async function setTags(apiUrl: string, tenantId: string, deviceId: string, tags: string[]) {
  const res = await graphql(apiUrl, SET_TAGS, { i: { tenantId, deviceId, tags } });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.setDeviceTags.version as number;
}

export async function transition(apiUrl: string, tenantId: string, deviceId: string, to: string) {
  const res = await graphql(apiUrl, TRANSITION, {
    i: { tenantId, deviceId, to, reason: `test: to ${to}` },
  });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.transitionDevice.version as number;
}

/**
 * A cursor to resume from: changes the device until a live subscriber sees a change, then
 * answers the cursor of the last change made, so nothing of the device comes after it.
 */
export async function cursorNow(apiUrl: string, tenantId: string, deviceId: string) {
  const sub = await subscribe('graphql-ws', apiUrl, DEVICE_CHANGES, { t: tenantId, d: deviceId });
  let version = 0;
  let n = 0;
  await eventually(async () => {
    version = await setTags(apiUrl, tenantId, deviceId, [`probe-${n++}`]);
    return eventsOf(sub).length > 0 ? true : undefined;
  });
  const last = await deliveredVersion(sub, deviceId, version);
  await sub.close();
  return last.cursor as string;
}

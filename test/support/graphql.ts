import { ADMIN_TOKEN } from './auth';

/**
 * The credentials a test request carries unless it says otherwise (`as`): every HTTP, SSE and
 * graphql-ws request of the tests goes through these helpers.
 */
export function testCredentials(): Record<string, string> {
  return { authorization: `Bearer ${ADMIN_TOKEN}` };
}

/** graphql-ws `connectionParams` carrying the tests' default credentials. */
export function testConnectionParams(): Record<string, string> {
  return testCredentials();
}

/** A GraphQL request over HTTP, as any client would send it. */
export async function graphql<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  as: Record<string, string> = testCredentials(),
) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...as,
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    data?: T;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
}

/** A GraphQL request that must succeed: its data, or an error naming the query and its errors. */
export async function graphqlOk<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const res = await graphql<T>(url, query, variables);
  if (res.errors !== undefined)
    throw new Error(`${query} answered errors: ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

/** Polls until `probe` returns a value that is not undefined (eventual projection). */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A subscription over SSE (graphql-yoga's `text/event-stream` answer to a POST): every event's
 * `data` (through `pick`) as it comes, and a promise that settles when the stream ends (cut
 * off, too: a test that stops its stack first need not wait for it).
 */
export async function sseSubscription(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  pick: (event: any) => unknown = (event) => event,
  as: Record<string, string> = testCredentials(),
): Promise<{ events: any[]; ended: Promise<void>; close(): Promise<void> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...as },
    body: JSON.stringify({ query, variables }),
  });
  if (!response.headers.get('content-type')?.includes('text/event-stream'))
    throw new Error(`not an event stream: HTTP ${response.status} ${await response.text()}`);
  const events: any[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const ended = (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
        const data = buffer
          .slice(0, i)
          .split('\n')
          .find((l) => l.startsWith('data:'));
        buffer = buffer.slice(i + 2);
        if (data && data.length > 5) events.push(pick(JSON.parse(data.slice(5))));
      }
    }
  })().catch(() => {});
  return { events, ended, close: () => reader.cancel() };
}

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { testConnectionParams } from './graphql';

/**
 * A subscription over graphql-ws, on a connection of its own: every payload (`data` and
 * `errors`) as it comes, the errors a refusal brings, and `close()` that drops the connection
 * as a client going away would.
 */
export function wsSubscription(
  apiUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  connectionParams: Record<string, string> = testConnectionParams(),
) {
  const client = createClient({
    url: apiUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams,
  });
  const payloads: Array<{ data?: any; errors?: any[] }> = [];
  const refusals: unknown[] = [];
  let completed = false;
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (payload) => void payloads.push(payload as { data?: any; errors?: any[] }),
      error: (error) => void refusals.push(error),
      complete: () => void (completed = true),
    },
  );
  return {
    payloads,
    refusals,
    completed: () => completed,
    async close() {
      unsubscribe();
      await client.dispose();
    },
  };
}

// The GraphQL client: queries and mutations over HTTP (POST /graphql), subscriptions over
// graphql-ws on the same path, both with the signed-in credential.
import { createClient as createWsClient } from 'graphql-ws';
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';

export interface ApiClient {
  client: Client;
  dispose(): void;
}

export function apiClient(credential: string): ApiClient {
  const authorization = `Bearer ${credential}`;
  const ws = createWsClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: { authorization },
    lazy: true,
  });
  const client = new Client({
    url: '/graphql',
    // POST with a JSON body: the API's CSRF prevention refuses simple GET requests.
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: () => ({ headers: { authorization } }),
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe: (sink) => ({ unsubscribe: ws.subscribe(input, sink) }),
          };
        },
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose() };
}

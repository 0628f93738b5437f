/**
 * The operator CLI's only way in: GraphQL over HTTP against a running API, as any client
 * would call it. Errors come back as `CliError` with the API's stable code, so commands print
 * one readable line and exit non-zero.
 */
import type { Command } from 'commander';
import { storedToken } from './credentials';

export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiClient {
  readonly url: string;
  /** Authorization header value, if the CLI has credentials for this API. */
  readonly authorization: string | undefined;
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export function apiClient(url: string, token?: string): ApiClient {
  const authorization = token ? `Bearer ${token}` : undefined;
  return {
    url,
    authorization,
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json',
            ...(authorization ? { authorization } : {}),
          },
          body: JSON.stringify({ query, variables }),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
        throw new CliError('cli:api.unreachable', `cannot reach the API at ${url} (${cause})`);
      }
      const text = await response.text();
      let body: { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new CliError(
          'cli:api.bad-answer',
          `the API at ${url} answered HTTP ${response.status} with something that is not GraphQL`,
        );
      }
      const [first] = body.errors ?? [];
      // Named, since a token refused is often a token shown to the wrong server.
      if (first?.extensions?.code === 'api:unauthenticated')
        throw new CliError(
          'api:unauthenticated',
          `the API at ${url} refused the credentials: ${first.message} — run \`doppel login\` or set DOPPEL_TOKEN (or --api for another API)`,
        );
      if (first) throw new CliError(first.extensions?.code ?? 'api:error', first.message);
      if (body.data === undefined)
        throw new CliError(
          'cli:api.bad-answer',
          `the API at ${url} answered HTTP ${response.status} with no data`,
        );
      return body.data;
    },
  };
}

/**
 * The API client for the global options of a command: `--api`, and the token from `--token`,
 * else DOPPEL_TOKEN, else what `doppel login` stored for that API.
 */
export async function clientOf(command: Command): Promise<ApiClient> {
  const { api, token } = command.optsWithGlobals() as { api: string; token?: string };
  return apiClient(api, token || process.env.DOPPEL_TOKEN || (await storedToken(api)));
}

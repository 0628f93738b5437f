/**
 * The operator CLI's only way in: GraphQL over HTTP against a running API, as any client
 * would call it. Errors come back as `CliError` with the API's stable code, so commands print
 * one readable line and exit non-zero.
 */
import type { Command } from 'commander';

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
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export function apiClient(url: string): ApiClient {
  return {
    url,
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json',
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
      if (first) throw new CliError(first.extensions?.code ?? 'api:error', first.message);
      if (body.data === undefined)
        throw new CliError(
          'cli:api.bad-answer',
          `the API answered HTTP ${response.status} with no data`,
        );
      return body.data;
    },
  };
}

/** The API client for the global options of a command (`--api`). */
export function clientOf(command: Command): ApiClient {
  return apiClient((command.optsWithGlobals() as { api: string }).api);
}

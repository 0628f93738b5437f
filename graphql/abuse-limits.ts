import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext } from 'graphql';
import { createGraphQLError, maskError, type Plugin } from 'graphql-yoga';

/**
 * What one request may ask of the API, checked before anything executes. Depth counts
 * nested selections; cost is graphql-armor's static estimate (objects 2, scalars 1, growing
 * with depth); tokens bound the parser's work; the body bounds what is read at all (a bulk
 * provisioning file rides in a variable, so it must fit).
 */
export interface AbuseLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxBodyBytes: number;
}

export const DEFAULT_ABUSE_LIMITS: AbuseLimits = {
  maxDepth: 12,
  maxCost: 5_000,
  maxAliases: 15,
  maxTokens: 5_000,
  maxDirectives: 20,
  maxBodyBytes: 8 * 1024 * 1024,
};

/** A refusal with a stable code instead of graphql-armor's "Syntax Error: …". */
const refuse = (code: string) => ({
  propagateOnRejection: false,
  onReject: [
    (ctx: ValidationContext | null, error: GraphQLError) =>
      ctx?.reportError(
        new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code } }),
      ),
  ],
});

/**
 * The token limit acts while parsing, where there is no validation context to report to:
 * armor's own error ends the request (as a syntax error, HTTP 400), given the code here.
 */
const refuseWhileParsing = (code: string) => ({
  propagateOnRejection: true,
  onReject: [
    (_: ValidationContext | null, error: GraphQLError) =>
      void Object.assign(error.extensions, { code }),
  ],
});

/** Depth, cost, alias, token and directive limits (graphql-armor), each with its own code. */
export function useQueryLimits(limits: AbuseLimits): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, ...refuse('api:query.too-deep') },
    costLimit: { maxCost: limits.maxCost, ...refuse('api:query.too-costly') },
    maxAliases: { n: limits.maxAliases, ...refuse('api:query.too-many-aliases') },
    maxTokens: { n: limits.maxTokens, ...refuseWhileParsing('api:query.too-many-tokens') },
    maxDirectives: { n: limits.maxDirectives, ...refuse('api:query.too-many-directives') },
    // "Did you mean …?" would let anyone map the schema by guessing.
    blockFieldSuggestion: { enabled: true },
  }) as Plugin;
}

const problem = (status: number, code: string, message: string) =>
  new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { 'content-type': 'application/json' },
  });

/**
 * Refuses a body larger than the limit: at once by its Content-Length (HTTP 413), or — sent
 * in chunks, without one — by cutting it off once the limit is passed.
 */
export function useBodyLimit(maxBytes: number): Plugin {
  const tooLarge = (size: string) =>
    problem(
      413,
      'api:request.too-large',
      `the request body is ${size} bytes; at most ${maxBytes} are accepted`,
    );
  return {
    onRequest({ request, setRequest, endResponse, fetchAPI }) {
      if (!request.body) return;
      const length = request.headers.get('content-length');
      if (length !== null) {
        if (Number(length) > maxBytes) endResponse(tooLarge(length));
        return;
      }
      let seen = 0;
      const limited = request.body.pipeThrough(
        new fetchAPI.TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            seen += chunk.byteLength;
            if (seen > maxBytes) controller.error(new Error(`over ${maxBytes} bytes`));
            else controller.enqueue(chunk);
          },
        }),
      );
      setRequest(
        new fetchAPI.Request(request.url, {
          method: request.method,
          headers: request.headers,
          body: limited,
          duplex: 'half',
        } as RequestInit),
      );
    },
  };
}

/**
 * Unexpected errors are masked (no stack, no internals) and carry a stable code; errors the
 * API raised on purpose keep theirs.
 */
export function maskUnexpected(error: unknown, message: string, isDev?: boolean): Error {
  const masked = maskError(error, message, isDev);
  // Duck-typed: graphql may be loaded twice (ESM here, CommonJS under graphql-armor).
  const extensions = (masked as { extensions?: Record<string, unknown> }).extensions;
  if (extensions && (!extensions.code || extensions.code === 'INTERNAL_SERVER_ERROR'))
    return createGraphQLError(masked.message, {
      originalError: (masked as { originalError?: Error }).originalError,
      extensions: { ...extensions, code: 'api:internal' },
    });
  return masked;
}

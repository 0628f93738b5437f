import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createGraphQLError } from 'graphql-yoga';

/** A GraphQL error with a stable, namespaced code in `extensions.code`. */
export function apiError(code: string, message: string, extensions: Record<string, unknown> = {}) {
  return createGraphQLError(message, { extensions: { code, ...extensions } });
}

/**
 * Maps what Temporal says about a twin to the API's errors: a refusal by the twin keeps its
 * code (`twin:…`), a twin that does not run is a device that does not exist.
 */
export function fromTemporal(error: unknown, what: string): Error {
  if (error instanceof WorkflowNotFoundError)
    return apiError('twin:device.not-found', `${what} does not exist`);
  if (
    error instanceof WorkflowUpdateFailedError &&
    error.cause instanceof ApplicationFailure &&
    error.cause.type
  ) {
    return apiError(error.cause.type, error.cause.message);
  }
  return error instanceof Error ? error : new Error(String(error));
}

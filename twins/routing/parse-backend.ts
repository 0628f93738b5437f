import { z } from 'zod';
import { reject, type Rejection } from '../errors';
import { backendSchema, type Backend } from './backend';

export const BACKEND_INVALID = 'routing:backend.invalid';
export const BACKEND_PRIMARY_CONFLICT = 'routing:backend.primary-conflict';

/** Reads a backend definition, listing every problem (with its path) instead of throwing. */
export function parseBackend(json: unknown): Backend | Rejection {
  const result = backendSchema.safeParse(json);
  if (result.success) return result.data;
  return reject(BACKEND_INVALID, `invalid backend:\n${z.prettifyError(result.error)}`);
}

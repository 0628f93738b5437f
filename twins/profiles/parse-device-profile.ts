import { z } from 'zod';
import { reject, type Rejection } from '../errors';
import { deviceProfileSchema, type DeviceProfile } from './device-profile';
import { PROFILE_INVALID } from './issues';

/**
 * Reads a profile document, returning a rejection with every problem listed (one per line,
 * with its path) rather than throwing, so an operator uploading a profile sees what to fix.
 *
 * @example
 *   const profile = parseDeviceProfile(JSON.parse(text));
 *   if (isRejection(profile)) return profile; // code 'profile:invalid'
 */
export function parseDeviceProfile(json: unknown): DeviceProfile | Rejection {
  const result = deviceProfileSchema.safeParse(json);
  if (result.success) return result.data;
  return reject(PROFILE_INVALID, `invalid device profile:\n${z.prettifyError(result.error)}`);
}

import type { DeviceProfile } from './device-profile';
import { omitPaths, readPath } from './dot-path';
import { interpretValue } from './interpret-value';
import { PROFILE_ISSUE, type ProfileIssue } from './issues';

export interface NormalisedReport {
  /** Canonical field → value in the canonical unit, of the declared type. */
  readonly values: Record<string, unknown>;
  /** What could not be read canonically, under the name the device used. Kept, never dropped. */
  readonly unknown: Record<string, unknown>;
  readonly issues: ProfileIssue[];
}

/**
 * Reads a device report in the terms of its model's profile. Never throws: what does not fit
 * is kept and flagged, because a device's data is worth more than a tidy twin.
 *
 * - Mapped vendor fields (dot paths for nested ones) are renamed and converted to the canonical
 *   unit, rounded to 12 significant digits; canonical names sent directly are taken as they are.
 *   If both arrive, the mapped vendor field wins and the other goes to `unknown`.
 * - A state field gives its canonical meaning under its name and the device's value under
 *   `<name>Raw` (`status: 'faulted'`, `statusRaw: 'Faulted'`); a value with no meaning gives
 *   `'unknown'`. A canonical meaning sent as is is accepted.
 * - Out-of-range numbers stay in `values` (a reading past its limits may be real) and are
 *   flagged; values of the wrong type, unknown enum values and undeclared fields go to `unknown`.
 * - `null` passes for every declared field: it deletes the key from the twin's reported state.
 * - Without a profile (unknown model) the report passes through unchanged, flagged once.
 *
 * @example
 *   normaliseReport(sensor, { tempF: 77, battery: 'low' })
 *   // → { values: { temperature: 25 }, unknown: { battery: 'low' },
 *   //     issues: [{ field: 'battery', code: 'profile:field.unknown', message: … }] }
 */
export function normaliseReport(
  profile: DeviceProfile | null,
  raw: Record<string, unknown>,
): NormalisedReport {
  if (profile === null) {
    const issue = {
      field: '*',
      code: PROFILE_ISSUE.modelUnknown,
      message: 'no profile for this device model: the report is passed through unchanged',
    } as const;
    return { values: { ...raw }, unknown: {}, issues: [issue] };
  }
  // Maps, then Object.fromEntries: a key such as `__proto__` stays an ordinary key.
  const values = new Map<string, unknown>();
  const unknown = new Map<string, unknown>();
  const issues: ProfileIssue[] = [];

  const place = (received: string, name: string, value: unknown, unit?: string) => {
    if (values.has(name)) {
      unknown.set(received, value);
      const message = `${received} repeats ${name}, already given by this report; kept aside`;
      issues.push({ field: received, code: PROFILE_ISSUE.duplicate, message });
      return;
    }
    const reading = interpretValue(profile, name, value, unit);
    if (reading.ok) for (const [key, v] of reading.entries) values.set(key, v);
    else unknown.set(received, value);
    if (reading.finding) issues.push({ field: received, ...reading.finding });
  };

  const consumed: string[] = [];
  for (const [path, entry] of Object.entries(profile.mapping)) {
    const { found, value } = readPath(raw, path);
    if (!found) continue;
    consumed.push(path);
    place(path, entry.field, value, entry.unit);
  }
  for (const [key, value] of Object.entries(omitPaths(raw, consumed))) {
    if (Object.hasOwn(profile.fields, key)) {
      place(key, key, value);
      continue;
    }
    unknown.set(key, value);
    const message = `${key} is neither a field of ${profile.model} nor mapped to one; kept aside`;
    issues.push({ field: key, code: PROFILE_ISSUE.fieldUnknown, message });
  }
  return { values: Object.fromEntries(values), unknown: Object.fromEntries(unknown), issues };
}

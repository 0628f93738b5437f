import { isCanonicalState } from './canonical-states';
import { convertUnit } from './convert-unit';
import type { DeviceProfile, FieldSpec } from './device-profile';
import { PROFILE_ISSUE, type ProfileIssue } from './issues';

type Finding = Omit<ProfileIssue, 'field'>;
type Entries = ReadonlyArray<readonly [string, unknown]>;

/**
 * How one value of a declared field reads in canonical terms. `ok: false` means the value
 * cannot be given the declared type and stays raw, outside the canonical values.
 */
export type Interpretation =
  | { readonly ok: true; readonly entries: Entries; readonly finding?: Finding }
  | { readonly ok: false; readonly finding: Finding };

/** Suffix of the key that keeps a state field's value as the device sent it. */
export const RAW_SUFFIX = 'Raw';

const ok = (entries: Entries): Interpretation => ({ ok: true, entries });

export function interpretValue(
  profile: DeviceProfile,
  name: string,
  value: unknown,
  fromUnit: string | undefined,
): Interpretation {
  const field = profile.fields[name] as FieldSpec;
  const states = Object.hasOwn(profile.states, name) ? profile.states[name] : undefined;
  // null deletes a key of the twin's reported state, so it passes for every field.
  if (value === null) {
    const keys = states ? [name, `${name}${RAW_SUFFIX}`] : [name];
    return ok(keys.map((key) => [key, null] as const));
  }
  if (states) return interpretState(name, states, value);
  switch (field.type) {
    case 'number':
      return interpretNumber(name, field, value, fromUnit);
    case 'string':
    case 'boolean':
      return typeof value === field.type ? ok([[name, value]]) : mismatch(name, field.type, value);
    case 'enum':
      if (typeof value !== 'string') return mismatch(name, 'enum', value);
      if (field.values?.includes(value)) return ok([[name, value]]);
      return { ok: false, finding: unknownValue(name, value, field.values ?? []) };
  }
}

function interpretNumber(
  name: string,
  field: FieldSpec,
  value: unknown,
  from: string | undefined,
): Interpretation {
  if (typeof value !== 'number' || !Number.isFinite(value)) return mismatch(name, 'number', value);
  const converted =
    from !== undefined && field.unit !== undefined
      ? (convertUnit(value, from, field.unit) ?? value)
      : value;
  const unit = field.unit === undefined ? '' : ` ${field.unit}`;
  const out = (limit: string, bound: number): Interpretation => ({
    ok: true,
    entries: [[name, converted]],
    finding: {
      code: PROFILE_ISSUE.outOfRange,
      message: `${name} ${converted}${unit} is ${limit} ${bound}${unit}`,
    },
  });
  if (field.min !== undefined && converted < field.min) return out('below min', field.min);
  if (field.max !== undefined && converted > field.max) return out('above max', field.max);
  return ok([[name, converted]]);
}

function interpretState(
  name: string,
  states: Record<string, string>,
  value: unknown,
): Interpretation {
  const primitive = ['string', 'number', 'boolean'].includes(typeof value);
  if (!primitive) return mismatch(name, 'string', value);
  // Maps are keyed by strings; MQTT devices often send 0/1 or true/false.
  const key = String(value);
  const entries = (meaning: string): Entries => [
    [name, meaning],
    [`${name}${RAW_SUFFIX}`, value],
  ];
  if (Object.hasOwn(states, key)) return ok(entries(states[key] as string));
  if (isCanonicalState(value)) return ok(entries(value));
  return {
    ok: true,
    entries: entries('unknown'),
    finding: unknownValue(name, value, Object.keys(states)),
  };
}

function mismatch(name: string, expected: string, value: unknown): Interpretation {
  return {
    ok: false,
    finding: {
      code: PROFILE_ISSUE.typeMismatch,
      message: `${name} expects a value of type ${expected}, got ${describe(value)}`,
    },
  };
}

function unknownValue(name: string, value: unknown, known: readonly string[]): Finding {
  return {
    code: PROFILE_ISSUE.stateUnknownValue,
    message: `${name} has no meaning for ${describe(value)} (known: ${known.join(', ')})`,
  };
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return `${Array.isArray(value) ? 'array' : typeof value} ${shown}`;
}

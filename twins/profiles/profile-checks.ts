import type { z } from 'zod';
import { unitSpec } from './units';

/*
 * Cross-field checks of a profile. The shapes are restated structurally here so that this
 * file does not import the schema it refines (no import cycle, no circular type).
 */
interface FieldLike {
  readonly type: 'number' | 'string' | 'boolean' | 'enum';
  readonly kind: 'telemetry' | 'state';
  readonly unit?: string | undefined;
  readonly values?: readonly string[] | undefined;
  readonly min?: number | undefined;
  readonly max?: number | undefined;
}
interface ProfileLike {
  readonly fields: Readonly<Record<string, FieldLike>>;
  readonly mapping: Readonly<Record<string, { readonly field: string; readonly unit?: string }>>;
  readonly states: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly twin?: {
    readonly fields: readonly string[];
    readonly thresholds: ReadonlyArray<{ readonly field: string }>;
  };
  readonly ocpp?: { readonly variables: Readonly<Record<string, unknown>> } | undefined;
}
type Ctx = z.RefinementCtx;

const fail = (ctx: Ctx, path: PropertyKey[], message: string) =>
  ctx.addIssue({ code: 'custom', path, message });

export function checkField(field: FieldLike, ctx: Ctx): void {
  if (field.type !== 'number') {
    for (const key of ['unit', 'min', 'max'] as const) {
      if (field[key] !== undefined) fail(ctx, [key], `${key} applies to number fields only`);
    }
  }
  if (field.type !== 'enum' && field.values !== undefined) {
    fail(ctx, ['values'], 'values apply to enum fields only');
  }
  if (field.min !== undefined && field.max !== undefined && field.min > field.max) {
    fail(ctx, ['min'], `min ${field.min} is greater than max ${field.max}`);
  }
}

export function checkProfile(profile: ProfileLike, ctx: Ctx): void {
  const declared = Object.keys(profile.fields).join(', ');
  const fieldOf = (name: string) =>
    Object.hasOwn(profile.fields, name) ? profile.fields[name] : undefined;

  for (const [vendor, entry] of Object.entries(profile.mapping)) {
    const at = ['mapping', vendor];
    const field = fieldOf(entry.field);
    if (field === undefined) {
      fail(
        ctx,
        [...at, 'field'],
        `mapping '${vendor}' targets '${entry.field}', which is not a declared field (declared: ${declared})`,
      );
      continue;
    }
    if (entry.unit === undefined) continue;
    const from = unitSpec(entry.unit);
    const to = field.unit === undefined ? undefined : unitSpec(field.unit);
    if (field.type !== 'number' || to === undefined) {
      fail(
        ctx,
        [...at, 'unit'],
        `mapping '${vendor}' is in ${entry.unit}, but field '${entry.field}' declares no unit to convert to`,
      );
    } else if (from !== undefined && from.dimension !== to.dimension) {
      fail(
        ctx,
        [...at, 'unit'],
        `mapping '${vendor}' is in ${entry.unit} (${from.dimension}), which cannot convert to ${field.unit} (${to.dimension}) of field '${entry.field}'`,
      );
    }
  }

  // What the twin hears must be fields the model reports; thresholds need numbers.
  profile.twin?.fields.forEach((name, i) => {
    if (fieldOf(name) === undefined)
      fail(
        ctx,
        ['twin', 'fields', i],
        `twin field '${name}' is not a declared field (declared: ${declared})`,
      );
  });
  profile.twin?.thresholds.forEach(({ field: name }, i) => {
    const field = fieldOf(name);
    if (field?.type !== 'number')
      fail(
        ctx,
        ['twin', 'thresholds', i, 'field'],
        `threshold field '${name}' must be a declared number field (declared: ${declared})`,
      );
  });

  // A field measured by a station variable (a rule on it becomes a monitor) must be a number.
  for (const name of Object.keys(profile.ocpp?.variables ?? {})) {
    if (fieldOf(name)?.type !== 'number')
      fail(
        ctx,
        ['ocpp', 'variables', name],
        `ocpp variable '${name}' must be a declared number field (declared: ${declared})`,
      );
  }

  for (const name of Object.keys(profile.states)) {
    const field = fieldOf(name);
    if (field === undefined) {
      fail(
        ctx,
        ['states', name],
        `states '${name}' is not a declared field (declared: ${declared})`,
      );
    } else if (field.kind !== 'state' || field.type !== 'enum') {
      fail(
        ctx,
        ['states', name],
        `field '${name}' has states, so it must be declared with kind 'state' and type 'enum'`,
      );
    } else if (field.values !== undefined) {
      // One list of meanings for every model, so fleets compare; a per-model list would drift.
      fail(
        ctx,
        ['fields', name, 'values'],
        `field '${name}' takes the canonical states as its values; remove values`,
      );
    }
    if (fieldOf(`${name}Raw`) !== undefined) {
      fail(
        ctx,
        ['fields', `${name}Raw`],
        `field '${name}Raw' collides with the raw value kept for state '${name}'`,
      );
    }
  }

  for (const [name, field] of Object.entries(profile.fields)) {
    if (
      field.type === 'enum' &&
      field.values === undefined &&
      !Object.hasOwn(profile.states, name)
    ) {
      fail(
        ctx,
        ['fields', name, 'values'],
        `enum field '${name}' needs values (or a states entry)`,
      );
    }
  }
}

import { z } from 'zod';
import { ID_PATTERN } from '../ids';
import { CANONICAL_STATES } from './canonical-states';
import { checkField, checkProfile } from './profile-checks';
import { quirkRuleSchema } from './quirks';
import { ocppSectionSchema, stationAlarmsSectionSchema } from './station-alarms';
import { KNOWN_UNITS, unitSpec } from './units';

export const PROTOCOLS = ['ocpp1.6', 'ocpp2.0.1', 'mqtt', 'json'] as const;

const fieldName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a field name is a letter followed by letters, digits or _');

const vendorPath = z
  .string()
  .regex(/^[^.]+(\.[^.]+)*$/, 'a vendor field is a name or a dot path such as meter.energy');

const unitSymbol = z.string().superRefine((symbol, ctx) => {
  if (unitSpec(symbol) === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown unit '${symbol}'; known units: ${KNOWN_UNITS.join(', ')}`,
    });
  }
});

export const fieldSpecSchema = z
  .strictObject({
    kind: z.enum(['telemetry', 'state']),
    type: z.enum(['number', 'string', 'boolean', 'enum']),
    /** The canonical unit; reports are converted to it. */
    unit: unitSymbol.optional(),
    values: z.array(z.string().min(1)).min(1).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    description: z.string().optional(),
  })
  .superRefine(checkField);

export const mappingEntrySchema = z.strictObject({
  field: fieldName,
  /** The unit the vendor sends, when it is not the field's canonical unit. */
  unit: unitSymbol.optional(),
});

/**
 * A device model as data: what it reports, how its names and units map to Doppel's canonical
 * ones, and what its status values mean. Adding a model is adding one such JSON document.
 * Objects are strict so that a typo (`mappings`, `unti`) is refused, not silently ignored.
 *
 * @example deviceProfileSchema.parse(JSON.parse(text))
 */
export const deviceProfileSchema = z
  .strictObject({
    model: z.string().regex(ID_PATTERN, 'a model id is a slug such as acme-wallbox-22'),
    vendor: z.string().min(1),
    protocol: z.enum(PROTOCOLS).optional(),
    /** Known firmware versions or semver-ish ranges (`>=1.4 <2`); recorded, not interpreted. */
    firmware: z.array(z.string().min(1)).default([]),
    hardwareRevisions: z.array(z.string().min(1)).default([]),
    /** Models a device of this model may replace in an asset (besides its own). */
    replaces: z.array(z.string().regex(ID_PATTERN)).default([]),
    fields: z.record(fieldName, fieldSpecSchema),
    /** Vendor field (or dot path) → canonical field, with the vendor's unit if it differs. */
    mapping: z.record(vendorPath, mappingEntrySchema).default({}),
    /** Canonical state field → vendor value → canonical meaning. */
    states: z.record(fieldName, z.record(z.string(), z.enum(CANONICAL_STATES))).default({}),
    /** Repairs of this model's known protocol non-compliance, applied before validation. */
    quirks: z.array(quirkRuleSchema).default([]),
    /**
     * What of this model's reports its twin must hear (docs/architecture.md, "notices"):
     * changes of these fields, and crossings of these thresholds. Everything else is committed
     * to the record without a Temporal action.
     */
    twin: z
      .strictObject({
        fields: z.array(fieldName).default([]),
        thresholds: z
          .array(
            z
              .strictObject({
                field: fieldName,
                above: z.number().optional(),
                below: z.number().optional(),
              })
              .refine((t) => t.above !== undefined || t.below !== undefined, {
                message: 'a threshold needs above, below or both',
              }),
          )
          .default([]),
      })
      .default({ fields: [], thresholds: [] }),
    /** OCPP specifics: monitoring support, canonical field → 2.0.1 component/variable. */
    ocpp: ocppSectionSchema.optional(),
    /** Station error codes and events → alarm types (docs/ocpp.md, "Alarms on the station"). */
    alarms: stationAlarmsSectionSchema.optional(),
  })
  .superRefine(checkProfile);

export type DeviceProfile = z.output<typeof deviceProfileSchema>;
export type FieldSpec = z.output<typeof fieldSpecSchema>;
export type MappingEntry = z.output<typeof mappingEntrySchema>;
export type Protocol = (typeof PROTOCOLS)[number];

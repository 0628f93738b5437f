import { z } from 'zod';

/**
 * The fields of an OCPI 2.2.1 Location an operator sets for a site (setOcpiLocation), with
 * OCPI's own limits: Doppel adds id, party, name, EVSEs and last_updated. AFIR's mandatory
 * ones (opening times, energy mix) are here as OCPI spells them.
 */
const displayText = z.object({ language: z.string().length(2), text: z.string().max(512) });
const regularHours = z.object({
  weekday: z.number().int().min(1).max(7),
  period_begin: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  period_end: z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/),
});
export const locationDetails = z
  .object({
    address: z.string().min(1).max(45),
    city: z.string().min(1).max(45),
    postal_code: z.string().max(10).optional(),
    state: z.string().max(20).optional(),
    country: z.string().regex(/^[A-Z]{3}$/, 'ISO 3166-1 alpha-3, e.g. NLD'),
    coordinates: z.object({
      latitude: z.string().regex(/^-?[0-9]{1,2}\.[0-9]{5,7}$/, 'e.g. "52.37403"'),
      longitude: z.string().regex(/^-?[0-9]{1,3}\.[0-9]{5,7}$/, 'e.g. "4.88969"'),
    }),
    time_zone: z.string().min(1).max(255),
    parking_type: z
      .enum([
        'ALONG_MOTORWAY',
        'PARKING_GARAGE',
        'PARKING_LOT',
        'ON_DRIVEWAY',
        'ON_STREET',
        'UNDERGROUND_GARAGE',
      ])
      .optional(),
    facilities: z.array(z.string().regex(/^[A-Z_]+$/)).optional(),
    directions: z.array(displayText).optional(),
    operator: z.object({ name: z.string().min(1).max(100) }).optional(),
    opening_times: z
      .object({
        twentyfourseven: z.boolean(),
        regular_hours: z.array(regularHours).optional(),
      })
      .optional(),
    charging_when_closed: z.boolean().optional(),
    energy_mix: z
      .object({
        is_green_energy: z.boolean(),
        energy_sources: z
          .array(
            z.object({
              source: z.enum([
                'NUCLEAR',
                'GENERAL_FOSSIL',
                'COAL',
                'GAS',
                'GENERAL_GREEN',
                'SOLAR',
                'WIND',
                'WATER',
              ]),
              percentage: z.number().min(0).max(100),
            }),
          )
          // OCPI lists may be empty; some eMSPs (py_ocpi) require the field, so it is always sent.
          .default([]),
        supplier_name: z.string().max(64).optional(),
        energy_product_name: z.string().max(64).optional(),
      })
      .optional(),
  })
  .strict();
export type LocationDetails = z.infer<typeof locationDetails>;

/** The connector an asset offers, from its attribute `ocpiConnector` (defaults: a 22 kW Type 2 socket). */
export const connectorSpec = z.object({
  standard: z
    .string()
    .regex(/^[A-Z0-9_]+$/)
    .default('IEC_62196_T2'),
  format: z.enum(['SOCKET', 'CABLE']).default('SOCKET'),
  power_type: z
    .enum(['AC_1_PHASE', 'AC_2_PHASE', 'AC_2_PHASE_SPLIT', 'AC_3_PHASE', 'DC'])
    .default('AC_3_PHASE'),
  max_voltage: z.number().int().positive().default(400),
  max_amperage: z.number().int().positive().default(32),
  max_electric_power: z.number().int().positive().default(22_000),
});
export type ConnectorSpec = z.infer<typeof connectorSpec>;

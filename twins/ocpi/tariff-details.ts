import { z } from 'zod';

/**
 * The fields of an OCPI 2.2.1 Tariff an operator sets (setOcpiTariff); Doppel adds the
 * party, id and last_updated. AFIR's price transparency: `tariff_alt_text` and
 * `tariff_alt_url` for humans, `elements` for machines.
 */
const price = z.object({ excl_vat: z.number().min(0), incl_vat: z.number().min(0).optional() });
const priceComponent = z.object({
  type: z.enum(['ENERGY', 'FLAT', 'PARKING_TIME', 'TIME']),
  price: z.number().min(0),
  vat: z.number().min(0).optional(),
  step_size: z.number().int().min(0),
});
const dateTime = z.iso.datetime({ offset: true });
export const tariffDetails = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217, e.g. EUR'),
    type: z
      .enum(['AD_HOC_PAYMENT', 'PROFILE_CHEAP', 'PROFILE_FAST', 'PROFILE_GREEN', 'REGULAR'])
      .optional(),
    tariff_alt_text: z
      .array(z.object({ language: z.string().length(2), text: z.string().max(512) }))
      .optional(),
    tariff_alt_url: z.url({ protocol: /^https?$/ }).optional(),
    min_price: price.optional(),
    max_price: price.optional(),
    elements: z
      .array(
        z.object({
          price_components: z.array(priceComponent).min(1),
          restrictions: z.record(z.string(), z.unknown()).optional(),
        }),
      )
      .min(1),
    start_date_time: dateTime.optional(),
    end_date_time: dateTime.optional(),
  })
  .strict();

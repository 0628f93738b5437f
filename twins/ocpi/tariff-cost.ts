/** OCPI 2.2.1 Price: excluding VAT, and including it when the tariff names the VAT. */
export interface OcpiPrice {
  excl_vat: number;
  incl_vat?: number;
}

interface PriceComponent {
  type: 'ENERGY' | 'FLAT' | 'PARKING_TIME' | 'TIME';
  price: number;
  vat?: number;
  step_size: number;
}

/** The costs of a session under a tariff, per kind and in total (OCPI CDR fields). */
export interface TariffCost {
  total: OcpiPrice;
  energy: OcpiPrice;
  time: OcpiPrice;
  fixed: OcpiPrice;
}

const money = (n: number) => Math.round(n * 100) / 100;

/** Rounds a volume up to whole steps (`step_size` in Wh or seconds; 0 or 1: no rounding). */
const billed = (volume: number, step: number, unit: number) =>
  step > 1 ? (Math.ceil((volume * unit) / step) * step) / unit : volume;

/**
 * What a session costs under a tariff's first element (restrictions are not evaluated): ENERGY
 * per kWh, TIME per hour, FLAT once; PARKING_TIME is not measured and costs nothing. Each
 * volume is rounded up to the component's step_size (Wh for energy, seconds for time), as
 * OCPI bills it.
 *
 * @example tariffCost({ elements: [{ price_components: [{ type: 'ENERGY', price: 0.39, vat: 21, step_size: 1 }] }] }, 8, 1)
 *   // → { total: { excl_vat: 3.12, incl_vat: 3.78 }, energy: …, time: { excl_vat: 0 }, fixed: { excl_vat: 0 } }
 */
export function tariffCost(
  tariff: { elements?: Array<{ price_components?: PriceComponent[] }> } | null,
  kwh: number,
  hours: number,
): TariffCost {
  const parts = { energy: [0, 0], time: [0, 0], fixed: [0, 0] };
  let vatKnown = tariff !== null;
  for (const c of tariff?.elements?.[0]?.price_components ?? []) {
    const amount =
      c.type === 'ENERGY'
        ? c.price * billed(kwh, c.step_size, 1000)
        : c.type === 'TIME'
          ? c.price * billed(hours, c.step_size, 3600)
          : c.type === 'FLAT'
            ? c.price
            : 0;
    const part = c.type === 'ENERGY' ? 'energy' : c.type === 'TIME' ? 'time' : 'fixed';
    if (c.vat === undefined) vatKnown = false;
    parts[part][0]! += amount;
    parts[part][1]! += amount * (1 + (c.vat ?? 0) / 100);
  }
  const price = ([excl, incl]: number[]): OcpiPrice => ({
    excl_vat: money(excl!),
    ...(vatKnown ? { incl_vat: money(incl!) } : {}),
  });
  return {
    energy: price(parts.energy),
    time: price(parts.time),
    fixed: price(parts.fixed),
    total: price([
      parts.energy[0]! + parts.time[0]! + parts.fixed[0]!,
      parts.energy[1]! + parts.time[1]! + parts.fixed[1]!,
    ]),
  };
}

/** A reading of a session's energy register (Wh) at a time. */
export interface EnergyReading {
  readonly at: string;
  readonly wh: number;
}

/** OCPI 2.2.1 ChargingPeriod with ENERGY (kWh) and TIME (hours) dimensions. */
export interface OcpiChargingPeriod {
  start_date_time: string;
  dimensions: Array<{ type: 'ENERGY' | 'TIME'; volume: number }>;
  tariff_id?: string;
}

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

/**
 * A session's meter readings as points in time: its start (meterStart), every register value
 * between start and end, and its end (meterStop). Readings outside the session are dropped;
 * of two at one instant the later one wins. Nothing read yet: the start only.
 */
export function sessionPoints(
  start: EnergyReading,
  readings: readonly EnergyReading[],
  end: EnergyReading | null,
): EnergyReading[] {
  const from = Date.parse(start.at);
  const to = end ? Date.parse(end.at) : Infinity;
  const byTime = new Map<number, EnergyReading>([[from, start]]);
  for (const r of readings) {
    const at = Date.parse(r.at);
    if (at > from && at < to && Number.isFinite(r.wh)) byTime.set(at, r);
  }
  if (end) byTime.set(Math.max(to, from), end);
  return [...byTime.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
}

/** The energy charged so far in kWh (never negative: a register that went back counts 0). */
export function chargedKwh(points: readonly EnergyReading[]): number {
  if (points.length < 2) return 0;
  return round(Math.max(0, points.at(-1)!.wh - points[0]!.wh) / 1000, 3);
}

/**
 * OCPI charging periods from the meter values: one period per interval between two readings,
 * with the energy charged in it and its length; a session without a second reading has one
 * period of nothing yet (a CDR needs at least one).
 *
 * @example chargingPeriods([{ at: t0, wh: 1000 }, { at: t1, wh: 2500 }])
 *   // → [{ start_date_time: t0, dimensions: [{ type: 'ENERGY', volume: 1.5 }, { type: 'TIME', volume: … }] }]
 */
export function chargingPeriods(
  points: readonly EnergyReading[],
  tariffId?: string,
): OcpiChargingPeriod[] {
  const tariff = tariffId ? { tariff_id: tariffId } : {};
  if (points.length < 2)
    return points.slice(0, 1).map((p) => ({
      start_date_time: new Date(p.at).toISOString(),
      dimensions: [
        { type: 'ENERGY', volume: 0 },
        { type: 'TIME', volume: 0 },
      ],
      ...tariff,
    }));
  return points.slice(0, -1).map((p, i) => {
    const next = points[i + 1]!;
    return {
      start_date_time: new Date(p.at).toISOString(),
      dimensions: [
        { type: 'ENERGY', volume: round(Math.max(0, next.wh - p.wh) / 1000, 3) },
        { type: 'TIME', volume: round((Date.parse(next.at) - Date.parse(p.at)) / 3_600_000, 4) },
      ],
      ...tariff,
    };
  });
}

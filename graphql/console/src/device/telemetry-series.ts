// Telemetry samples (newest first, as the API answers) as chart series: per channel, one series
// per numeric field, oldest first, with the field's canonical unit from the device profile.

export interface TelemetrySample {
  at: string;
  channel: string;
  values: Record<string, unknown>;
}

export interface Series {
  channel: string;
  field: string;
  /** The profile's canonical unit; null when the profile does not say (or there is none). */
  unit: string | null;
  /** Seconds since the epoch (uPlot's time scale), ascending. */
  times: number[];
  values: number[];
}

/** Per field, its canonical unit, from a profile document's `fields`. */
export function unitsOf(profile: unknown): Record<string, string> {
  const fields = (profile as { fields?: Record<string, { unit?: unknown }> } | null)?.fields;
  const units: Record<string, string> = {};
  for (const [name, field] of Object.entries(fields ?? {}))
    if (typeof field?.unit === 'string') units[name] = field.unit;
  return units;
}

/**
 * Channels in name order (the device's own, '', first), fields in name order within each.
 *
 * @example seriesOf([{ at: '…', channel: '', values: { powerKW: 2 } }], { powerKW: 'kW' })
 * // → [{ channel: '', field: 'powerKW', unit: 'kW', times: [...], values: [2] }]
 */
export function seriesOf(samples: TelemetrySample[], units: Record<string, string>): Series[] {
  const byKey = new Map<string, Series>();
  // Oldest first: the API answers newest first.
  for (const sample of [...samples].reverse()) {
    const time = Date.parse(sample.at) / 1000;
    for (const [field, value] of Object.entries(sample.values)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const key = `${sample.channel}\u0000${field}`;
      let series = byKey.get(key);
      if (!series) {
        series = {
          channel: sample.channel,
          field,
          unit: units[field] ?? null,
          times: [],
          values: [],
        };
        byKey.set(key, series);
      }
      series.times.push(time);
      series.values.push(value);
    }
  }
  return [...byKey.values()].sort(
    (a, b) => a.channel.localeCompare(b.channel) || a.field.localeCompare(b.field),
  );
}

/** The periods the page offers, and what each asks of the API. */
export const PERIODS = {
  hour: { label: 'Last hour', ms: 3_600_000 },
  day: { label: 'Last day', ms: 86_400_000 },
  week: { label: 'Last week', ms: 7 * 86_400_000 },
} as const;
export type PeriodName = keyof typeof PERIODS | 'custom';

import { isJsonObject, type JsonObject } from '../shadow';

/** Reported `meter` holds one reading per measurand: `{ value, unit, at }`. */
const METER = 'meter';

/** The reading's own time in ms, or null when it carries none that parses. */
function takenAt(reading: unknown): number | null {
  if (!isJsonObject(reading) || typeof reading.at !== 'string') return null;
  const ms = Date.parse(reading.at);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * A report without the meter readings older than those the twin holds. "Latest" means newest
 * by the reading's own time (`at`), per measurand, never by arrival: a replayed offline queue
 * or a retried message reaches the twin after newer readings and must not roll them back.
 * Readings of equal time replace each other; anything without a parsable `at` merges as usual.
 *
 * @example withoutOlderReadings({ meter: { E: { value: 9, at: '…T10:00Z' } } },
 *                              { meter: { E: { value: 5, at: '…T08:00Z' } } }) // → {}
 */
export function withoutOlderReadings(
  reported: JsonObject,
  report: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const known = reported[METER];
  const incoming = report[METER];
  if (!isJsonObject(known) || !isJsonObject(incoming)) return report;
  const kept = Object.entries(incoming).filter(([measurand, reading]) => {
    const mine = takenAt(known[measurand]);
    const theirs = takenAt(reading);
    return mine === null || theirs === null || theirs >= mine;
  });
  if (kept.length === Object.keys(incoming).length) return report;
  const { [METER]: _older, ...rest } = report;
  return kept.length > 0 ? { ...rest, [METER]: Object.fromEntries(kept) } : rest;
}

import { ocmfText } from './ocmf-text';
import type { SignedMeterValue } from './signed-meter-data';

/** Something wrong with one meter's OCMF pagination counter (`PG`) across a session. */
export interface PaginationIssue {
  /** OCMF `MS`, the meter's serial number (null: the data sets name none). */
  meterSerial: string | null;
  /** The counter's letter: `T` (transaction data sets) or `F` (fiscal ones). */
  series: string;
  /** Numbers between the session's lowest and highest that never arrived (the first 100). */
  missing: number[];
  /** Numbers that came with two or more different data sets. */
  repeated: number[];
}

const COUNTER = /^([A-Za-z]+)(\d+)$/;
/** A counter that jumps by millions is one issue, not millions of numbers. */
const MAX_LISTED = 100;

/**
 * A meter numbers its OCMF data sets one by one per series (`T1`, `T2`, … and `F1`, …): a
 * number skipped between the first and the last one of a session means a data set went
 * missing, a number used for two different data sets means one is not what the meter
 * signed. The same data set twice (a retried message) is no repeat. Values whose check read
 * no counter are left out.
 *
 * @example paginationIssues([{ T1 }, { T3 }]) // → [{ series: 'T', missing: [2], repeated: [] }]
 */
export function paginationIssues(values: readonly SignedMeterValue[]): PaginationIssue[] {
  const series = new Map<
    string,
    { meterSerial: string | null; series: string; seen: Map<number, Set<string>> }
  >();
  for (const value of values) {
    const check = value.verification;
    const counter = check?.pagination ? COUNTER.exec(check.pagination) : null;
    if (!check || !counter) continue;
    const name = `${check.meterSerial ?? ''}\u0000${counter[1]!}`;
    let entry = series.get(name);
    if (!entry) {
      entry = { meterSerial: check.meterSerial, series: counter[1]!, seen: new Map() };
      series.set(name, entry);
    }
    const n = Number(counter[2]);
    const sets = entry.seen.get(n) ?? new Set<string>();
    // Base64 or not, the same data set is the same.
    sets.add(ocmfText(value) ?? value.data);
    entry.seen.set(n, sets);
  }
  const issues: PaginationIssue[] = [];
  for (const { meterSerial, series: letter, seen } of series.values()) {
    const numbers = [...seen.keys()].sort((a, b) => a - b);
    const missing: number[] = [];
    for (let i = 1; i < numbers.length; i++)
      for (let n = numbers[i - 1]! + 1; n < numbers[i]! && missing.length < MAX_LISTED; n++)
        missing.push(n);
    const repeated = numbers.filter((n) => seen.get(n)!.size > 1);
    if (missing.length > 0 || repeated.length > 0)
      issues.push({ meterSerial, series: letter, missing, repeated });
  }
  return issues;
}

// How the device page spells times, JSON and API errors.
import type { CombinedError } from 'urql';

/** A time as UTC, to the second: the same on every operator's screen, whatever their zone. */
export const when = (iso: string | null | undefined): string =>
  iso ? `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC` : '—';

export const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** The API's own message (a refusal, a conflict), not urql's "[GraphQL] …" wrapping. */
export const messageOf = (error: CombinedError): string =>
  error.graphQLErrors[0]?.message ?? error.message;

/** The API's error code (twin:shadow.version-conflict, …), when it gave one. */
export const codeOf = (error: CombinedError): string | undefined => {
  const code = error.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
};

/** A byte count an operator can read (1.2 kB). */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

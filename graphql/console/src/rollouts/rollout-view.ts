// What the rollout pages share: the statuses, what a rollout installs or sends, times.

export const ROLLOUT_STATUSES = [
  'SCHEDULED',
  'RUNNING',
  'WAITING',
  'PAUSED',
  'ABORTING',
  'ABORTED',
  'COMPLETED',
] as const;

export const DEVICE_STATUSES = [
  'PENDING',
  'COMMANDED',
  'SUCCEEDED',
  'FAILED',
  'SKIPPED',
  'ABORTED',
] as const;

export interface Counts {
  pending: number;
  skipped: number;
  commanded: number;
  succeeded: number;
  failed: number;
  aborted: number;
}

export const COUNTS_FIELDS = 'pending skipped commanded succeeded failed aborted';

export const ENDED = new Set(['ABORTED', 'COMPLETED']);

/** The firmware a rollout installs (version) or the command a bulk command sends (name). */
export function whatOf(config: Record<string, unknown>): string {
  const firmware = config.firmware as { version?: string } | undefined;
  if (firmware?.version) return `firmware ${firmware.version}`;
  const command = config.command as { name?: string } | undefined;
  return command?.name ? `command ${command.name}` : '—';
}

/** A time as the browser's locale writes it (the API's are ISO 8601). */
export const timeOf = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString() : '—';

/** Every device of the counts (the client adds a __typename to them: it is not a status). */
export const total = (counts: Counts) =>
  DEVICE_STATUSES.reduce((n, s) => n + counts[s.toLowerCase() as keyof Counts], 0);

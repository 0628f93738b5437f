// One bar of a rollout's devices by status: a segment per status, as wide as its share, named
// for screen readers with the same counts the text beside it shows.
import { DEVICE_STATUSES, total, type Counts } from './rollout-view';

/** How each status reads in a sentence and in the legend. */
export const STATUS_WORDS: Record<(typeof DEVICE_STATUSES)[number], string> = {
  PENDING: 'pending',
  COMMANDED: 'updating',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  SKIPPED: 'skipped',
  ABORTED: 'aborted',
};

const key = (status: (typeof DEVICE_STATUSES)[number]) => status.toLowerCase() as keyof Counts;

/** "2 succeeded, 1 failed, 1 pending of 4": the statuses that have devices. */
export function countsSentence(counts: Counts): string {
  const parts = DEVICE_STATUSES.filter((s) => counts[key(s)] > 0).map(
    (s) => `${counts[key(s)]} ${STATUS_WORDS[s]}`,
  );
  return `${parts.join(', ') || 'no devices'} of ${total(counts)}`;
}

export function CountsBar({ counts, label }: { counts: Counts; label: string }) {
  const all = total(counts);
  return (
    <div className="counts-bar" role="img" aria-label={`${label}: ${countsSentence(counts)}`}>
      {all > 0 &&
        DEVICE_STATUSES.filter((s) => counts[key(s)] > 0).map((s) => (
          <span
            key={s}
            className={`segment ${key(s)}`}
            style={{ width: `${(counts[key(s)] / all) * 100}%` }}
          />
        ))}
    </div>
  );
}

export function CountsLegend() {
  return (
    <ul className="counts-legend" aria-label="Legend">
      {DEVICE_STATUSES.map((s) => (
        <li key={s}>
          <span className={`swatch ${key(s)}`} aria-hidden="true" /> {STATUS_WORDS[s]}
        </li>
      ))}
    </ul>
  );
}

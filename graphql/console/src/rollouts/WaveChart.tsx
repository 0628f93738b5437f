// The waves as a picture: a bar per wave (the canary first), its devices by status as coloured
// segments, labelled in words beside the bar and for screen readers.
import { CountsBar, countsSentence } from './CountsBar';
import type { Counts } from './rollout-view';

export interface Wave {
  wave: number;
  from: number;
  size: number;
  counts: Counts;
}

const nameOf = (wave: number) => (wave === 0 ? 'Canary' : `Wave ${wave}`);

export function WaveChart({ waves, devices }: { waves: Wave[]; devices: number }) {
  const last = waves.at(-1);
  const shown = last ? last.from + last.size : 0;
  return (
    <figure className="waves" aria-labelledby="waves-caption">
      <figcaption id="waves-caption">Waves</figcaption>
      {waves.length === 0 ? (
        <p>No devices yet.</p>
      ) : (
        <ol>
          {waves.map((w) => (
            <li key={w.wave} className="wave" data-wave={w.wave}>
              <span className="wave-name">{nameOf(w.wave)}</span>
              <CountsBar counts={w.counts} label={nameOf(w.wave)} />
              <span className="wave-counts">{countsSentence(w.counts)}</span>
            </li>
          ))}
        </ol>
      )}
      {shown < devices && (
        <p className="hint">
          The first {waves.length} waves ({shown} of {devices} devices).
        </p>
      )}
    </figure>
  );
}

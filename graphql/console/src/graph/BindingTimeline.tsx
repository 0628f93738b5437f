// An asset's binding history as a timeline: which device was installed, from when to when,
// who bound and unbound it and why — across replacements, oldest first.
import { Link } from 'react-router';
import { deviceHref } from './links';

export interface BindingPeriod {
  deviceId: string;
  from: string;
  to: string | null;
  boundBy: string | null;
  boundReason: string | null;
  unboundBy: string | null;
  unboundReason: string | null;
  device: { lifecycle: { state: string } } | null;
}

const when = (iso: string) => <time dateTime={iso}>{new Date(iso).toLocaleString()}</time>;

/** "by actor: reason", or what there is of it (rows from before reasons were kept have none). */
function why(by: string | null, reason: string | null): string {
  if (by && reason) return `by ${by}: ${reason}`;
  if (reason) return reason;
  return by ? `by ${by}` : 'not recorded';
}

export function BindingTimeline({
  tenantId,
  periods,
  now,
}: {
  tenantId: string;
  periods: BindingPeriod[];
  now: number;
}) {
  if (periods.length === 0) return <p>No device has been bound to this asset yet.</p>;
  const start = Date.parse(periods[0]!.from);
  const span = Math.max(now - start, 1);
  return (
    <figure className="timeline" aria-labelledby="timeline-caption">
      <figcaption id="timeline-caption">
        Binding history: {periods.length} {periods.length === 1 ? 'device' : 'devices'}
      </figcaption>
      {/* The same periods drawn to scale; the list below says everything in words. */}
      <div className="timeline-bar" aria-hidden="true">
        {periods.map((p, i) => {
          const end = p.to ? Date.parse(p.to) : now;
          return (
            <span
              key={`${p.deviceId}-${p.from}`}
              className={`timeline-segment timeline-segment-${i % 2}${p.to ? '' : ' current'}`}
              style={{
                left: `${((Date.parse(p.from) - start) / span) * 100}%`,
                width: `max(${((end - Date.parse(p.from)) / span) * 100}%, 2px)`,
              }}
              title={p.deviceId}
            />
          );
        })}
      </div>
      <ol className="timeline-periods">
        {periods.map((p) => (
          <li
            key={`${p.deviceId}-${p.from}`}
            className={p.to ? 'ended' : 'current'}
            aria-label={`${p.deviceId}, ${p.to ? 'ended' : 'bound now'}`}
          >
            <p className="timeline-device">
              <Link to={deviceHref(tenantId, p.deviceId)}>{p.deviceId}</Link>{' '}
              {p.device && <span className="state">{p.device.lifecycle.state}</span>}
            </p>
            <p>
              {when(p.from)} – {p.to ? when(p.to) : <strong>now</strong>}
            </p>
            <dl>
              <div>
                <dt>Bound</dt>
                <dd>{why(p.boundBy, p.boundReason)}</dd>
              </div>
              {p.to && (
                <div>
                  <dt>Unbound</dt>
                  <dd>{why(p.unboundBy, p.unboundReason)}</dd>
                </div>
              )}
            </dl>
          </li>
        ))}
      </ol>
    </figure>
  );
}

// A rollout's health gates, wave by wave: the verdict, what broke, and the evidence (each metric
// for the updated devices and the others, the ratio and the limit).
import { timeOf } from './rollout-view';

export interface HealthCheck {
  wave: number;
  status: string;
  bakeFrom: string;
  bakeUntil: string;
  judgedAt: string | null;
  reason: string | null;
  evidence: { checks?: Check[] } | null;
}

interface Side {
  devices?: number;
  count: number;
  of?: number;
  rate?: number;
}
interface Check {
  metric: string;
  updated: Side;
  baseline?: Side;
  ratio?: number | 'infinite' | null;
  limit: number;
  broken: boolean;
  note?: string;
}

const METRICS: Record<string, string> = {
  alarmsPerDevice: 'alarms per device',
  newFingerprints: 'fault fingerprints new to the firmware',
  reconnectsPerDevice: 'reconnects per device',
  failedSessionRate: 'failed charging sessions',
};

const sideOf = (side: Side | undefined) => {
  if (!side) return '—';
  if (side.of !== undefined) return `${side.count} of ${side.of}`;
  const devices = side.devices ?? 0;
  if (side.rate !== undefined) return `${side.rate} (${devices} device${devices === 1 ? '' : 's'})`;
  return String(side.count);
};

export function HealthChecks({ checks }: { checks: HealthCheck[] }) {
  if (checks.length === 0) return null;
  return (
    <section aria-labelledby="health-heading" className="health">
      <h2 id="health-heading">Health gate</h2>
      {checks.map((c) => (
        <div key={c.wave} className={`health-check ${c.status.toLowerCase()}`}>
          <h3>
            After {c.wave === 0 ? 'the canary' : `wave ${c.wave}`}: {c.status}
          </h3>
          <p className="detail">
            Baked {timeOf(c.bakeFrom)} – {timeOf(c.bakeUntil)}
            {c.reason ? ` · ${c.reason}` : ''}
          </p>
          {c.evidence?.checks?.length ? (
            <div className="table-box">
              <table
                aria-label={`Evidence after ${c.wave === 0 ? 'the canary' : `wave ${c.wave}`}`}
              >
                <thead>
                  <tr>
                    <th scope="col">Metric</th>
                    <th scope="col">Updated devices</th>
                    <th scope="col">Not yet updated</th>
                    <th scope="col">Ratio</th>
                    <th scope="col">Limit</th>
                    <th scope="col">Verdict</th>
                  </tr>
                </thead>
                <tbody>
                  {c.evidence.checks.map((check) => (
                    <tr key={check.metric}>
                      <th scope="row">{METRICS[check.metric] ?? check.metric}</th>
                      <td>{sideOf(check.updated)}</td>
                      <td>{sideOf(check.baseline)}</td>
                      <td>
                        {check.ratio === 'infinite' ? 'none on the others' : (check.ratio ?? '—')}
                      </td>
                      <td>{check.limit}</td>
                      <td>{check.broken ? 'broken' : (check.note ?? 'within')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ))}
    </section>
  );
}

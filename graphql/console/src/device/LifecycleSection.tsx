// Lifecycle: the state, who put the device there and why, the timeline of every transition
// with its effects, and the actions the caller's role may take.
import { LifecycleActions } from './LifecycleActions';
import type { DeviceDetail } from './live-device';
import { when } from './format';
import { ScrollBox } from '../ScrollBox';

const effect = (name: string) => name.toLowerCase().replace(/_/g, ' ');

export function LifecycleSection({ tenantId, device }: { tenantId: string; device: DeviceDetail }) {
  const { lifecycle } = device;
  const timeline = [...device.lifecycleHistory].reverse();
  return (
    <section aria-labelledby="lifecycle-heading" className="card">
      <h2 id="lifecycle-heading">Lifecycle</h2>
      <dl className="facts">
        <div>
          <dt>State</dt>
          <dd aria-label="Lifecycle state">
            <span className={`state state-${lifecycle.state.toLowerCase()}`}>
              {lifecycle.state}
            </span>
          </dd>
        </div>
        <div>
          <dt>Since</dt>
          <dd>{when(lifecycle.at)}</dd>
        </div>
        <div>
          <dt>By</dt>
          <dd>{lifecycle.actor}</dd>
        </div>
        <div>
          <dt>Why</dt>
          <dd>{lifecycle.reason || '—'}</dd>
        </div>
        {lifecycle.replacedBy && (
          <div>
            <dt>Replaced by</dt>
            <dd>{lifecycle.replacedBy}</dd>
          </div>
        )}
        <div>
          <dt>Alarms</dt>
          <dd>{device.alarmsMuted ? 'muted (maintenance)' : 'raised'}</dd>
        </div>
        <div>
          <dt>Rollouts</dt>
          <dd>{device.excludedFromRollouts ? 'excluded (maintenance)' : 'included'}</dd>
        </div>
      </dl>
      <LifecycleActions tenantId={tenantId} device={device} />
      <ScrollBox label="Scroll box: lifecycle timeline">
        <table aria-label="Lifecycle timeline">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Change</th>
              <th scope="col">Who</th>
              <th scope="col">Why</th>
              <th scope="col">Effects</th>
              <th scope="col">Version</th>
            </tr>
          </thead>
          <tbody>
            {timeline.map((change) => (
              <tr key={change.version}>
                <th scope="row">{when(change.at)}</th>
                <td>
                  {change.from} → {change.to}
                  {change.replacedBy && ` (by ${change.replacedBy})`}
                </td>
                <td>{change.actor}</td>
                <td>{change.reason}</td>
                <td>{change.effects.map(effect).join(', ') || '—'}</td>
                <td>{change.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {timeline.length === 0 && <p>No transitions yet.</p>}
      </ScrollBox>
    </section>
  );
}

// Who the device is: id, model, firmware, tags, serial (when it reports one), where it is
// installed (asset, site, customer) and a link to its twin's workflow in Temporal UI.
import type { ReactNode } from 'react';
import { useSession } from '../session-context';
import { when } from './format';
import type { DeviceDetail } from './live-device';

/** The twin's workflow in the installation's Temporal UI (the newest run: the UI redirects). */
export const workflowUrl = (ui: { url: string; namespace: string }, workflowId: string) =>
  `${ui.url}/namespaces/${encodeURIComponent(ui.namespace)}/workflows/${encodeURIComponent(workflowId)}`;

export function IdentitySection({ device }: { device: DeviceDetail }) {
  const { me } = useSession();
  const serial = device.reported.serial;
  const rows: [string, ReactNode][] = [
    ['Device id', device.deviceId],
    ['Model', device.model ?? '—'],
    ['Firmware', device.firmware ?? '—'],
    ['Serial', typeof serial === 'string' && serial ? serial : '—'],
    ['Tags', device.tags.length ? device.tags.join(', ') : '—'],
    ['Asset', device.asset ? `${device.asset.name} (${device.asset.assetId})` : 'not bound'],
    ['Site', device.site ? `${device.site.name} (${device.site.siteId})` : '—'],
    ['Customer', device.customer ? `${device.customer.name} (${device.customer.customerId})` : '—'],
    ['Last change', `${when(device.updatedAt)}, version ${device.version}`],
    [
      'Twin workflow',
      me.temporalUi ? (
        <a href={workflowUrl(me.temporalUi, device.workflowId)} target="_blank" rel="noreferrer">
          {device.workflowId} in Temporal UI
        </a>
      ) : (
        <code>{device.workflowId}</code>
      ),
    ],
  ];
  return (
    <section aria-labelledby="identity-heading" className="card">
      <h2 id="identity-heading">Identity</h2>
      <dl className="facts">
        {rows.map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

// One asset: where it stands, the device bound now, and every device bound before it.
import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { BindingTimeline, type BindingPeriod } from './BindingTimeline';
import { Breadcrumbs, CUSTOMERS_CRUMB } from './Breadcrumbs';
import { deviceHref } from './links';
import { ASSET } from './queries';

interface Asset {
  assetId: string;
  name: string;
  kind: string | null;
  health: string;
  tags: string[];
  site: { siteId: string; name: string; customer: { customerId: string; name: string } } | null;
  device: {
    deviceId: string;
    lifecycle: { state: string };
    connectivity: { status: string };
  } | null;
  bindingHistory: BindingPeriod[];
}

export function AssetLevel({ tenantId, assetId }: { tenantId: string; assetId: string }) {
  const [{ data, error, fetching }] = useQuery<{ asset: Asset | null }>({
    query: ASSET,
    variables: { tenantId, assetId },
  });
  // The open period of the timeline reaches to when the page was opened.
  const [now] = useState(() => Date.now());
  const asset = data?.asset;
  if (error) return <p className="error">{error.message}</p>;
  if (!asset) return fetching ? <p>Loading…</p> : <p>No asset {assetId} in this tenant.</p>;
  const site = asset.site;
  const trail = [
    CUSTOMERS_CRUMB,
    ...(site
      ? [
          {
            label: site.customer.name,
            to: { level: 'customer' as const, id: site.customer.customerId },
          },
          { label: site.name, to: { level: 'site' as const, id: site.siteId } },
        ]
      : []),
    { label: asset.name, to: { level: 'asset' as const, id: assetId } },
  ];
  return (
    <>
      <Breadcrumbs tenantId={tenantId} trail={trail} />
      <h1>
        {asset.name} <span className="id">(asset {asset.assetId})</span>
      </h1>
      <dl className="facts">
        <div>
          <dt>Kind</dt>
          <dd>{asset.kind ?? '—'}</dd>
        </div>
        <div>
          <dt>Health</dt>
          <dd>
            <span className={`health health-${asset.health.toLowerCase()}`}>{asset.health}</span>
          </dd>
        </div>
        <div>
          <dt>Device now</dt>
          <dd>
            {asset.device ? (
              <>
                <Link to={deviceHref(tenantId, asset.device.deviceId)}>
                  {asset.device.deviceId}
                </Link>{' '}
                ({asset.device.lifecycle.state}, {asset.device.connectivity.status})
              </>
            ) : (
              'none'
            )}
          </dd>
        </div>
        <div>
          <dt>Tags</dt>
          <dd>{asset.tags.join(', ') || '—'}</dd>
        </div>
      </dl>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Devices over time</h2>
        <BindingTimeline tenantId={tenantId} periods={asset.bindingHistory} now={now} />
      </section>
    </>
  );
}

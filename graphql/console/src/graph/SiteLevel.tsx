// One site: its device counts and its assets, a page at a time, each with its device now.
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { Breadcrumbs, CUSTOMERS_CRUMB } from './Breadcrumbs';
import { deviceHref, graphHref } from './links';
import { GRAPH_PAGE_SIZE, SITE, type Connection } from './queries';
import { ScopeCountsView } from './ScopeCounts';
import { connectionPage, Pager, useCursors } from '../Pager';
import { ScrollBox } from '../ScrollBox';

interface AssetRow {
  assetId: string;
  name: string;
  kind: string | null;
  health: string;
  device: { deviceId: string } | null;
}

interface Site {
  siteId: string;
  name: string;
  tags: string[];
  customer: { customerId: string; name: string };
  assets: Connection<AssetRow>;
}

export function SiteLevel({ tenantId, siteId }: { tenantId: string; siteId: string }) {
  const cursors = useCursors(GRAPH_PAGE_SIZE);
  const [{ data, error, fetching }] = useQuery<{ site: Site | null }>({
    query: SITE,
    variables: { tenantId, siteId, first: GRAPH_PAGE_SIZE, after: cursors.after },
  });
  const site = data?.site;
  if (error) return <p className="error">{error.message}</p>;
  if (!site) return fetching ? <p>Loading…</p> : <p>No site {siteId} in this tenant.</p>;
  const trail = [
    CUSTOMERS_CRUMB,
    { label: site.customer.name, to: { level: 'customer' as const, id: site.customer.customerId } },
    { label: site.name, to: { level: 'site' as const, id: siteId } },
  ];
  return (
    <>
      <Breadcrumbs tenantId={tenantId} trail={trail} />
      <h1>
        {site.name} <span className="id">(site {site.siteId})</span>
      </h1>
      <ScopeCountsView tenantId={tenantId} scope={{ siteId }} name={`site ${site.name}`} />
      <section aria-labelledby="assets-heading">
        <h2 id="assets-heading">Assets</h2>
        <ScrollBox label="Scroll box: assets" className="table-scroll">
          <table aria-labelledby="assets-heading">
            <thead>
              <tr>
                <th scope="col">Asset</th>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Health</th>
                <th scope="col">Device</th>
              </tr>
            </thead>
            <tbody>
              {site.assets.nodes.map((a) => (
                <tr key={a.assetId}>
                  <th scope="row">
                    <Link to={graphHref(tenantId, { level: 'asset', id: a.assetId })}>
                      {a.assetId}
                    </Link>
                  </th>
                  <td>{a.name}</td>
                  <td>{a.kind ?? '—'}</td>
                  <td>
                    <span className={`health health-${a.health.toLowerCase()}`}>{a.health}</span>
                  </td>
                  <td>
                    {a.device ? (
                      <Link to={deviceHref(tenantId, a.device.deviceId)}>{a.device.deviceId}</Link>
                    ) : (
                      'none'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
        <Pager label="assets" page={connectionPage(site.assets)} cursors={cursors} />
      </section>
    </>
  );
}

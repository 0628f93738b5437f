// One customer: its device counts and its sites, a page at a time.
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { Breadcrumbs, CUSTOMERS_CRUMB } from './Breadcrumbs';
import { graphHref } from './links';
import { CUSTOMER, GRAPH_PAGE_SIZE, onlineOf, type Connection } from './queries';
import { ScopeCountsView } from './ScopeCounts';
import { useSummaries } from './use-summaries';
import { connectionPage, Pager, useCursors } from '../Pager';
import { ScrollBox } from '../ScrollBox';

interface SiteRow {
  siteId: string;
  name: string;
  tags: string[];
  assets: { totalCount: number };
}

export function CustomerLevel({ tenantId, customerId }: { tenantId: string; customerId: string }) {
  const cursors = useCursors(GRAPH_PAGE_SIZE);
  const [{ data, error, fetching }] = useQuery<{
    customer: { customerId: string; name: string; sites: Connection<SiteRow> } | null;
  }>({
    query: CUSTOMER,
    variables: { tenantId, customerId, first: GRAPH_PAGE_SIZE, after: cursors.after },
  });
  const customer = data?.customer;
  const rows = customer?.sites.nodes ?? [];
  const counts = useSummaries(
    tenantId,
    'siteId',
    rows.map((s) => s.siteId),
  );
  const trail = [
    CUSTOMERS_CRUMB,
    { label: customer?.name ?? customerId, to: { level: 'customer' as const, id: customerId } },
  ];
  if (error) return <p className="error">{error.message}</p>;
  if (!customer)
    return fetching ? <p>Loading…</p> : <p>No customer {customerId} in this tenant.</p>;
  return (
    <>
      <Breadcrumbs tenantId={tenantId} trail={trail} />
      <h1>
        {customer.name} <span className="id">(customer {customer.customerId})</span>
      </h1>
      <ScopeCountsView
        tenantId={tenantId}
        scope={{ customerId }}
        name={`customer ${customer.name}`}
      />
      <section aria-labelledby="sites-heading">
        <h2 id="sites-heading">Sites</h2>
        <ScrollBox label="Scroll box: sites" className="table-scroll">
          <table aria-labelledby="sites-heading">
            <thead>
              <tr>
                <th scope="col">Site</th>
                <th scope="col">Name</th>
                <th scope="col">Tags</th>
                <th scope="col">Assets</th>
                <th scope="col">Devices</th>
                <th scope="col">Online</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.siteId}>
                  <th scope="row">
                    <Link to={graphHref(tenantId, { level: 'site', id: s.siteId })}>
                      {s.siteId}
                    </Link>
                  </th>
                  <td>{s.name}</td>
                  <td>{s.tags.join(', ')}</td>
                  <td>{s.assets.totalCount}</td>
                  <td>{counts.get(s.siteId)?.total ?? '…'}</td>
                  <td>{counts.has(s.siteId) ? onlineOf(counts.get(s.siteId)) : '…'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
        <Pager label="sites" page={connectionPage(customer.sites)} cursors={cursors} />
      </section>
    </>
  );
}

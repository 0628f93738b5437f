// The graph's top: the tenant's customers, a page at a time, with their sites and devices.
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { Breadcrumbs, CUSTOMERS_CRUMB } from './Breadcrumbs';
import { graphHref } from './links';
import { CUSTOMERS, GRAPH_PAGE_SIZE, onlineOf, type Connection } from './queries';
import { ScopeCountsView } from './ScopeCounts';
import { useSummaries } from './use-summaries';
import { connectionPage, Pager, useCursors } from '../Pager';
import { ScrollBox } from '../ScrollBox';

interface CustomerRow {
  customerId: string;
  name: string;
  sites: { totalCount: number };
}

export function CustomersLevel({ tenantId }: { tenantId: string }) {
  const cursors = useCursors(GRAPH_PAGE_SIZE);
  const [{ data, error }] = useQuery<{ customers: Connection<CustomerRow> }>({
    query: CUSTOMERS,
    variables: { tenantId, first: GRAPH_PAGE_SIZE, after: cursors.after },
  });
  const page = data?.customers;
  const rows = page?.nodes ?? [];
  const counts = useSummaries(
    tenantId,
    'customerId',
    rows.map((c) => c.customerId),
  );
  return (
    <>
      <Breadcrumbs tenantId={tenantId} trail={[CUSTOMERS_CRUMB]} />
      <h1>Graph of {tenantId}</h1>
      <ScopeCountsView tenantId={tenantId} scope={{}} name={`tenant ${tenantId}`} />
      {error && <p className="error">{error.message}</p>}
      <section aria-labelledby="customers-heading">
        <h2 id="customers-heading">Customers</h2>
        <ScrollBox label="Scroll box: customers" className="table-scroll">
          <table aria-labelledby="customers-heading">
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col">Name</th>
                <th scope="col">Sites</th>
                <th scope="col">Devices</th>
                <th scope="col">Online</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.customerId}>
                  <th scope="row">
                    <Link to={graphHref(tenantId, { level: 'customer', id: c.customerId })}>
                      {c.customerId}
                    </Link>
                  </th>
                  <td>{c.name}</td>
                  <td>{c.sites.totalCount}</td>
                  <td>{counts.get(c.customerId)?.total ?? '…'}</td>
                  <td>{counts.has(c.customerId) ? onlineOf(counts.get(c.customerId)) : '…'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
        <Pager label="customers" page={connectionPage(page)} cursors={cursors} />
      </section>
    </>
  );
}

// The device counts of where the graph page stands: the tenant, a customer or a site.
import { onlineOf } from './queries';
import { useScopeCounts, type Scope } from './use-summaries';

export function ScopeCountsView({
  tenantId,
  scope,
  name,
}: {
  tenantId: string;
  scope: Scope;
  name: string;
}) {
  const { counts, error } = useScopeCounts(tenantId, scope);
  if (error) return <p className="error">{error.message}</p>;
  if (!counts) return null;
  const id = `counts-${scope.siteId ?? scope.customerId ?? 'tenant'}`;
  return (
    <figure className="tile scope-counts" aria-labelledby={id}>
      <figcaption id={id}>Devices of {name}</figcaption>
      <dl>
        <div data-count="total">
          <dt>total</dt>
          <dd>{counts.total}</dd>
        </div>
        <div data-count="ONLINE">
          <dt>online</dt>
          <dd>{onlineOf(counts)}</dd>
        </div>
        {counts.byLifecycle.map((c) => (
          <div key={c.lifecycle} data-count={c.lifecycle}>
            <dt>{c.lifecycle.toLowerCase()}</dt>
            <dd>{c.count}</dd>
          </div>
        ))}
      </dl>
    </figure>
  );
}

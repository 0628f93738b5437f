// Where in the graph the page stands: Customers › customer › site › asset, each a link up.
import { Link } from 'react-router';
import { graphHref, type Selection } from './links';

export interface Crumb {
  label: string;
  to: Selection;
}

export function Breadcrumbs({ tenantId, trail }: { tenantId: string; trail: Crumb[] }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumbs">
      <ol>
        {trail.map((crumb, i) => (
          <li key={`${crumb.to.level}-${i}`}>
            {i === trail.length - 1 ? (
              <span aria-current="page">{crumb.label}</span>
            ) : (
              <Link to={graphHref(tenantId, crumb.to)}>{crumb.label}</Link>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}

export const CUSTOMERS_CRUMB: Crumb = { label: 'Customers', to: { level: 'customers' } };

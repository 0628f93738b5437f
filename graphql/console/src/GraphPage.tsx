// The twin graph: customers → sites → assets → devices, one level at a time with breadcrumbs,
// each level with its device counts, an asset with its binding history. The URL keeps where
// the page stands, so a view can be bookmarked or shared.
import { useSearchParams } from 'react-router';
import { AssetLevel } from './graph/AssetLevel';
import { CustomerLevel } from './graph/CustomerLevel';
import { CustomersLevel } from './graph/CustomersLevel';
import { selectionOf } from './graph/links';
import { SiteLevel } from './graph/SiteLevel';

export function GraphPage({ tenantId }: { tenantId: string }) {
  const [params] = useSearchParams();
  const selection = selectionOf(params);
  // Keyed by what is shown, so a level's page cursors start over when the selection changes.
  switch (selection.level) {
    case 'customers':
      return <CustomersLevel key={tenantId} tenantId={tenantId} />;
    case 'customer':
      return <CustomerLevel key={selection.id} tenantId={tenantId} customerId={selection.id} />;
    case 'site':
      return <SiteLevel key={selection.id} tenantId={tenantId} siteId={selection.id} />;
    case 'asset':
      return <AssetLevel key={selection.id} tenantId={tenantId} assetId={selection.id} />;
  }
}

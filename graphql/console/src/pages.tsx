// The pages of a tenant, in the order the navigation shows them. Each page adds one entry here;
// a page whose API a role may not call is left out of that role's navigation (never a stub).
import type { ReactElement } from 'react';
import { DevicePage } from './device/DevicePage';
import { FleetPage } from './FleetPage';
import { GraphPage } from './GraphPage';
import { may, type Me } from './session';

export interface TenantPage {
  /** Under /tenants/:tenantId ('' is the tenant's home). */
  path: string;
  label: string;
  /** Whether the page is in the navigation for this caller (a route may still exist, e.g. a device page). */
  listed(me: Me): boolean;
  element(tenantId: string): ReactElement;
}

export const TENANT_PAGES: TenantPage[] = [
  {
    path: '',
    label: 'Fleet',
    listed: () => true,
    element: (tenantId) => <FleetPage tenantId={tenantId} />,
  },
  {
    path: 'graph',
    label: 'Graph',
    listed: (me) => may(me, 'Query', 'customers'),
    element: (tenantId) => <GraphPage tenantId={tenantId} />,
  },
  {
    // Reached from the fleet table's device ids; no navigation entry of its own.
    path: 'devices/:deviceId',
    label: 'Device',
    listed: () => false,
    element: (tenantId) => <DevicePage tenantId={tenantId} />,
  },
];

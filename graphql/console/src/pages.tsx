// The pages of a tenant, in the order the navigation shows them. Each page adds one entry here;
// a page whose API a role may not call is left out of that role's navigation (never a stub).
import type { ReactElement } from 'react';
import { AlarmsPage } from './alarms/AlarmsPage';
import { DevicePage } from './device/DevicePage';
import { FleetPage } from './FleetPage';
import { GraphPage } from './GraphPage';
import { ProvisioningPage } from './provisioning/ProvisioningPage';
import { NewRolloutPage } from './rollouts/NewRolloutPage';
import { RolloutPage } from './rollouts/RolloutPage';
import { RolloutsPage } from './rollouts/RolloutsPage';
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
  {
    path: 'rollouts',
    label: 'Rollouts',
    listed: (me) => may(me, 'Query', 'rollouts'),
    element: (tenantId) => <RolloutsPage tenantId={tenantId} />,
  },
  {
    // Reached from the rollouts page's "New rollout" (shown to the roles that may start one).
    path: 'rollouts/new',
    label: 'New rollout',
    listed: () => false,
    element: (tenantId) => <NewRolloutPage tenantId={tenantId} />,
  },
  {
    path: 'rollouts/:rolloutId',
    label: 'Rollout',
    listed: (me) => may(me, 'Query', 'rollout'),
    element: (tenantId) => <RolloutPage tenantId={tenantId} />,
  },
  {
    path: 'provisioning',
    label: 'Provisioning',
    listed: (me) => may(me, 'Mutation', 'provisionDevices'),
    element: (tenantId) => <ProvisioningPage tenantId={tenantId} />,
  },
  {
    path: 'alarms',
    label: 'Alarms',
    listed: (me) => may(me, 'Query', 'alarms'),
    element: (tenantId) => <AlarmsPage tenantId={tenantId} />,
  },
];

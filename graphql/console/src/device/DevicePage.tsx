// The device page (/tenants/:tenantId/devices/:deviceId): everything about one device, kept
// live by its change subscription; the actions the caller's role may take.
import { Link, useParams } from 'react-router';
import { may } from '../session';
import { useSession } from '../session-context';
import { AlarmsSection } from './AlarmsSection';
import { AuditSection } from './AuditSection';
import { ChargingSessions } from './ChargingSessions';
import { CommandsSection } from './CommandsSection';
import { ConnectivitySection } from './ConnectivitySection';
import { IdentitySection } from './IdentitySection';
import { LifecycleSection } from './LifecycleSection';
import { useLiveDevice } from './live-device';
import { ShadowSection } from './ShadowSection';
import { TelemetrySection } from './TelemetrySection';

export function DevicePage({ tenantId }: { tenantId: string }) {
  const deviceId = useParams().deviceId ?? '';
  // A new device id is a new page: no state of the last one carries over.
  return <DeviceView key={deviceId} tenantId={tenantId} deviceId={deviceId} />;
}

function DeviceView({ tenantId, deviceId }: { tenantId: string; deviceId: string }) {
  const { me } = useSession();
  const { device, fetching, error, live, changes } = useLiveDevice(tenantId, deviceId);
  const fleet = `/tenants/${encodeURIComponent(tenantId)}`;
  return (
    <div className="device-page">
      <p className="crumbs">
        <Link to={fleet}>Fleet</Link> / {deviceId}
      </p>
      <h1>
        Device {deviceId}{' '}
        <span className={live ? 'live' : 'stale'}>{live ? 'live' : 'not live'}</span>
      </h1>
      {error && <p className="error">{error}</p>}
      {!device && !fetching && !error && <p>No device {deviceId} in this tenant.</p>}
      {device && (
        <div className="device-grid">
          <IdentitySection device={device} />
          <LifecycleSection tenantId={tenantId} device={device} />
          <ConnectivitySection tenantId={tenantId} device={device} changes={changes} />
          <ShadowSection tenantId={tenantId} device={device} />
          <TelemetrySection tenantId={tenantId} deviceId={deviceId} model={device.model} />
          <CommandsSection tenantId={tenantId} deviceId={deviceId} commands={device.commands} />
          <ChargingSessions tenantId={tenantId} deviceId={deviceId} changes={changes} />
          <AlarmsSection tenantId={tenantId} deviceId={deviceId} changes={changes} />
          {may(me, 'Query', 'auditEntries') && (
            <AuditSection tenantId={tenantId} deviceId={deviceId} changes={changes} />
          )}
        </div>
      )}
    </div>
  );
}

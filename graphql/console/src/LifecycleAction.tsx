// A device's lifecycle action from the table: maintenance (or back to active), with a reason,
// confirmed, applied only if the device is still at the version the table showed.
import { useState } from 'react';
import { useMutation } from 'urql';
import { LIFECYCLE_TRANSITIONS } from '../../../twins/device/lifecycle';
import type { LifecycleState } from '../../../twins/device/state';
import type { DeviceRow } from './DeviceTable';

const TRANSITION = /* GraphQL */ `
  mutation Transition($input: TransitionDeviceInput!) {
    transitionDevice(input: $input) {
      version
      device {
        deviceId
        version
        lifecycle {
          state
        }
      }
    }
  }
`;

/** The one action the table offers per state: into maintenance, or out of it. */
function actionFor(state: string): { to: string; label: string } | null {
  const from = state.toLowerCase() as LifecycleState;
  if (from === 'maintenance') return { to: 'ACTIVE', label: 'End maintenance' };
  if (LIFECYCLE_TRANSITIONS[from]?.includes('maintenance')) {
    return { to: 'MAINTENANCE', label: 'Maintenance' };
  }
  return null;
}

export function LifecycleAction({ tenantId, device }: { tenantId: string; device: DeviceRow }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [result, transition] = useMutation(TRANSITION);
  const action = actionFor(device.lifecycle.state);
  if (!action) return null;
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {action.label}
      </button>
    );
  }
  return (
    <form
      className="confirm"
      aria-label={`${action.label} for ${device.deviceId}`}
      onSubmit={(event) => {
        event.preventDefault();
        void transition({
          input: {
            tenantId,
            deviceId: device.deviceId,
            to: action.to,
            reason: reason.trim(),
            expectedVersion: device.version,
          },
        }).then((r) => {
          if (!r.error) setOpen(false);
        });
      }}
    >
      <label>
        Reason{' '}
        <input value={reason} onChange={(e) => setReason(e.target.value)} required autoFocus />
      </label>
      <button type="submit" disabled={result.fetching || !reason.trim()}>
        Confirm
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {result.error && (
        <p role="alert" className="error">
          {result.error.graphQLErrors[0]?.message ?? result.error.message}
        </p>
      )}
    </form>
  );
}

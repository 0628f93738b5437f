// The lifecycle actions of the device page, each with a reason and a confirmation, offered only
// to roles that may call their mutation: maintenance (or its end) at the version shown,
// retirement, and replacement by a new device.
import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation } from 'urql';
import { LIFECYCLE_TRANSITIONS } from '../../../../twins/device/lifecycle';
import type { LifecycleState } from '../../../../twins/device/state';
import { may } from '../session';
import { useSession } from '../session-context';
import { ConfirmAction } from '../ConfirmAction';
import { messageOf } from './format';
import type { DeviceDetail } from './live-device';

const TRANSITION = /* GraphQL */ `
  mutation DeviceTransition($input: TransitionDeviceInput!) {
    transitionDevice(input: $input) {
      version
      device {
        deviceId
        version
      }
    }
  }
`;

const RETIRE = /* GraphQL */ `
  mutation DeviceRetire($input: RetireDeviceInput!) {
    retireDevice(input: $input) {
      workflowId
      retired
      reason
    }
  }
`;

const REPLACE = /* GraphQL */ `
  mutation DeviceReplace($input: ReplaceDeviceInput!) {
    replaceDevice(input: $input) {
      workflowId
      status
      reason
      newDeviceId
      secret
      warnings
    }
  }
`;

interface Replaced {
  status: string;
  reason: string | null;
  newDeviceId: string;
  secret: string | null;
  warnings: string[];
}

const allows = (state: string, to: LifecycleState) =>
  LIFECYCLE_TRANSITIONS[state.toLowerCase() as LifecycleState]?.includes(to) ?? false;

export function LifecycleActions({ tenantId, device }: { tenantId: string; device: DeviceDetail }) {
  const { me } = useSession();
  const [, transition] = useMutation(TRANSITION);
  const [, retire] = useMutation(RETIRE);
  const [, replace] = useMutation<{ replaceDevice: Replaced }>(REPLACE);
  const [newSerial, setNewSerial] = useState('');
  const [replaced, setReplaced] = useState<Replaced | null>(null);
  const state = device.lifecycle.state;
  const { deviceId } = device;

  const toState = (to: 'MAINTENANCE' | 'ACTIVE') => async (reason: string) => {
    // Applied only if nobody changed the device since this page showed it.
    const r = await transition({
      input: { tenantId, deviceId, to, reason, expectedVersion: device.version },
    });
    return r.error ? messageOf(r.error) : null;
  };
  const actions = [];
  if (may(me, 'Mutation', 'transitionDevice')) {
    if (state === 'MAINTENANCE')
      actions.push(
        <ConfirmAction
          key="end"
          label="End maintenance"
          confirmText={`Make ${deviceId} active again`}
          reason="required"
          onConfirm={toState('ACTIVE')}
        />,
      );
    else if (allows(state, 'maintenance'))
      actions.push(
        <ConfirmAction
          key="maintenance"
          label="Maintenance"
          confirmText={`Put ${deviceId} into maintenance`}
          reason="required"
          onConfirm={toState('MAINTENANCE')}
        />,
      );
  }
  if (may(me, 'Mutation', 'replaceDevice') && allows(state, 'replaced'))
    actions.push(
      <ConfirmAction
        key="replace"
        label="Replace"
        confirmText={`Replace ${deviceId}`}
        ready={newSerial.trim() !== ''}
        reason="required"
        onConfirm={async (reason) => {
          const r = await replace({
            input: { tenantId, deviceId, reason, newSerial: newSerial.trim() },
          });
          if (r.error) return messageOf(r.error);
          const answer = r.data!.replaceDevice;
          if (answer.status === 'REFUSED' || answer.status === 'FAILED')
            return `${answer.status}: ${answer.reason ?? 'no reason given'}`;
          setReplaced(answer);
          return null;
        }}
      >
        <label>
          New device id{' '}
          <input value={newSerial} onChange={(e) => setNewSerial(e.target.value)} required />
        </label>
      </ConfirmAction>,
    );
  if (may(me, 'Mutation', 'retireDevice') && allows(state, 'retired'))
    actions.push(
      <ConfirmAction
        key="retire"
        label="Retire"
        confirmText={`Retire ${deviceId} for good`}
        reason="required"
        onConfirm={async (reason) => {
          const r = await retire({ input: { tenantId, deviceId, reason } });
          if (r.error) return messageOf(r.error);
          const answer = r.data as { retireDevice: { retired: boolean; reason: string | null } };
          return answer.retireDevice.retired
            ? null
            : `refused: ${answer.retireDevice.reason ?? 'no reason given'}`;
        }}
      />,
    );
  // The new device's secret stays on screen after the replacement, when the old device, now
  // replaced, offers no Replace any more: it is shown this once.
  const notice = replaced && <ReplacedBy tenantId={tenantId} replaced={replaced} />;
  if (actions.length === 0) return notice || null;
  return (
    <>
      <div className="actions" role="group" aria-label="Lifecycle actions">
        {actions}
      </div>
      {notice}
    </>
  );
}

/** The new device of a replacement; its secret is shown this once (only a hash is kept). */
function ReplacedBy({ tenantId, replaced }: { tenantId: string; replaced: Replaced }) {
  return (
    <div role="status" className="notice">
      <p>
        Replacement {replaced.status.toLowerCase().replace(/_/g, ' ')}: new device{' '}
        <Link
          to={`/tenants/${encodeURIComponent(tenantId)}/devices/${encodeURIComponent(replaced.newDeviceId)}`}
        >
          {replaced.newDeviceId}
        </Link>
        .
      </p>
      {replaced.secret && (
        <p>
          Its secret, shown this once: <code>{replaced.secret}</code>
        </p>
      )}
      {replaced.warnings.map((w) => (
        <p key={w}>{w}</p>
      ))}
    </div>
  );
}

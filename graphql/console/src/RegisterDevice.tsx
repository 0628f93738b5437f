// Registering one device from the fleet page (the README's walk, step 1, without GraphiQL): its
// secret is shown once, with what the device needs to connect.
import { useState } from 'react';
import { useMutation } from 'urql';

const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterDeviceInput!) {
    registerDevice(input: $input) {
      workflowId
      token
      warnings
    }
  }
`;

interface Registered {
  deviceId: string;
  token: string | null;
  warnings: string[];
}

export function RegisterDevice({
  tenantId,
  onRegistered,
}: {
  tenantId: string;
  onRegistered(): void;
}) {
  const [open, setOpen] = useState(false);
  const [deviceId, setDeviceId] = useState('');
  const [model, setModel] = useState('');
  const [registered, setRegistered] = useState<Registered | null>(null);
  const [result, register] = useMutation<{
    registerDevice: { token: string | null; warnings: string[] };
  }>(REGISTER);

  if (registered) {
    return (
      <section className="panel" aria-labelledby="registered-heading">
        <h2 id="registered-heading">Device {registered.deviceId} registered</h2>
        {registered.token ? (
          <>
            <p>
              Its secret, shown <strong>this once</strong> (only its hash is kept): the device sends
              it as <code>hello.token</code> (an OCPP station as its password).
            </p>
            <p>
              <label>
                Secret of {registered.deviceId}{' '}
                <input readOnly value={registered.token} size={40} className="secret" />
              </label>{' '}
              <button
                type="button"
                onClick={() => void navigator.clipboard?.writeText(registered.token ?? '')}
              >
                Copy
              </button>
            </p>
          </>
        ) : (
          <p>It signs in with its certificate: no secret was issued.</p>
        )}
        {registered.warnings.map((w) => (
          <p key={w} className="warning">
            {w}
          </p>
        ))}
        <button type="button" onClick={() => setRegistered(null)}>
          Done
        </button>
      </section>
    );
  }
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Register a device
      </button>
    );
  }
  return (
    <form
      className="panel register"
      aria-label="Register a device"
      onSubmit={(event) => {
        event.preventDefault();
        const input = { tenantId, deviceId: deviceId.trim(), model: model.trim() || undefined };
        void register({ input }).then((r) => {
          if (r.error || !r.data) return;
          setRegistered({ deviceId: input.deviceId, ...r.data.registerDevice });
          setOpen(false);
          setDeviceId('');
          setModel('');
          onRegistered();
        });
      }}
    >
      <label>
        New device id{' '}
        <input value={deviceId} onChange={(e) => setDeviceId(e.target.value)} required autoFocus />
      </label>{' '}
      <label>
        Model <input value={model} onChange={(e) => setModel(e.target.value)} />
      </label>{' '}
      <button type="submit" disabled={result.fetching || !deviceId.trim()}>
        Register
      </button>{' '}
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

// The shadow: desired, reported and delta side by side (reported follows the device live), and
// for roles that may change it, desired as JSON in an editor, sent as a patch at the shadow
// version the editor started from. A conflict shows the current desired state and a reload.
import { useState } from 'react';
import { useMutation } from 'urql';
import { may } from '../session';
import { useSession } from '../session-context';
import { desiredPatch, parseDesired, type JsonObject } from './desired-patch';
import { codeOf, json, messageOf } from './format';
import type { DeviceDetail } from './live-device';

const UPDATE = /* GraphQL */ `
  mutation DeviceDesired($input: UpdateDesiredInput!) {
    updateDesired(input: $input) {
      shadowVersion
      device {
        deviceId
        version
      }
    }
  }
`;

export function ShadowSection({ tenantId, device }: { tenantId: string; device: DeviceDetail }) {
  const { me } = useSession();
  return (
    <section aria-labelledby="shadow-heading" className="card">
      <h2 id="shadow-heading">
        Shadow <span className="hint">version {device.shadowVersion}</span>
      </h2>
      <div className="shadow">
        <Document title="Desired" value={device.desired} />
        <Document title="Reported" value={device.reported} />
        <Document title="Delta" value={device.delta} />
      </div>
      {device.flagged.length > 0 && (
        <p className="hint">
          Flagged by the profile: {device.flagged.map((f) => `${f.field} (${f.code})`).join(', ')}
        </p>
      )}
      {may(me, 'Mutation', 'updateDesired') && (
        <DesiredEditor tenantId={tenantId} device={device} />
      )}
    </section>
  );
}

function Document({ title, value }: { title: string; value: Record<string, unknown> }) {
  const id = `shadow-${title.toLowerCase()}`;
  return (
    <figure aria-labelledby={id} className="document">
      <figcaption id={id}>{title}</figcaption>
      <pre>{json(value)}</pre>
    </figure>
  );
}

interface Draft {
  text: string;
  /** The desired document and shadow version the draft started from. */
  base: Record<string, unknown>;
  version: number;
}

function DesiredEditor({ tenantId, device }: { tenantId: string; device: DeviceDetail }) {
  const [{ fetching }, update] = useMutation(UPDATE);
  // Null while untouched: the editor then shows desired as it is now, at today's version.
  const [draft, setDraft] = useState<Draft | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [conflict, setConflict] = useState(false);
  const [saved, setSaved] = useState<number | null>(null);
  const shown: Draft = draft ?? {
    text: json(device.desired),
    base: device.desired,
    version: device.shadowVersion,
  };
  const reload = () => {
    setDraft(null);
    setConflict(false);
    setProblem(null);
  };
  return (
    <form
      className="desired-editor"
      aria-label="Edit desired state"
      onSubmit={(event) => {
        event.preventDefault();
        const parsed = parseDesired(shown.text);
        if ('problem' in parsed) return setProblem(parsed.problem);
        const patch = desiredPatch(shown.base as JsonObject, parsed.document);
        if (Object.keys(patch).length === 0) return setProblem('nothing changed');
        void update({
          input: {
            tenantId,
            deviceId: device.deviceId,
            patch,
            expectedVersion: shown.version,
          },
        }).then((r) => {
          if (r.error) {
            setConflict(codeOf(r.error) === 'twin:shadow.version-conflict');
            return setProblem(messageOf(r.error));
          }
          setSaved(r.data.updateDesired.shadowVersion);
          reload();
        });
      }}
    >
      <label htmlFor="desired-json">
        Desired state (JSON), at shadow version <span>{shown.version}</span>
      </label>
      <textarea
        id="desired-json"
        rows={Math.min(16, Math.max(4, shown.text.split('\n').length + 1))}
        spellCheck={false}
        value={shown.text}
        onChange={(e) => {
          setDraft({ ...shown, text: e.target.value });
          setSaved(null);
        }}
      />
      <div className="buttons">
        <button type="submit" disabled={fetching || draft === null}>
          Save desired
        </button>
        <button type="button" onClick={reload} disabled={draft === null && !conflict}>
          Discard changes
        </button>
      </div>
      {saved !== null && <p role="status">Saved: shadow version {saved}.</p>}
      {problem && (
        <div role="alert" className="error">
          <p>{problem}</p>
          {conflict && (
            <>
              <p>
                The shadow changed since you started editing (desired state, or a report: they share
                the version). Desired state is now:
              </p>
              <pre aria-label="Current desired state">{json(device.desired)}</pre>
              <button type="button" onClick={reload}>
                Reload the current desired state
              </button>
            </>
          )}
        </div>
      )}
    </form>
  );
}

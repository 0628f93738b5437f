// Commands: what was sent to the device, with status and result (live: results arrive with the
// device's changes), and for roles that may send one, a form: a name and JSON parameters.
import { useState } from 'react';
import { useMutation } from 'urql';
import { may } from '../session';
import { useSession } from '../session-context';
import { json, messageOf, when } from './format';
import type { Command } from './live-device';
import { ScrollBox } from '../ScrollBox';

const SEND = /* GraphQL */ `
  mutation DeviceCommand($input: SendCommandInput!) {
    sendCommand(input: $input) {
      commandId
      device {
        deviceId
        version
      }
    }
  }
`;

export function CommandsSection({
  tenantId,
  deviceId,
  commands,
}: {
  tenantId: string;
  deviceId: string;
  commands: Command[];
}) {
  const { me } = useSession();
  return (
    <section aria-labelledby="commands-heading" className="card">
      <h2 id="commands-heading">Commands</h2>
      {may(me, 'Mutation', 'sendCommand') && (
        <SendCommand tenantId={tenantId} deviceId={deviceId} />
      )}
      <ScrollBox label="Scroll box: commands">
        <table aria-label="Commands">
          <thead>
            <tr>
              <th scope="col">Command</th>
              <th scope="col">Parameters</th>
              <th scope="col">Status</th>
              <th scope="col">Result</th>
              <th scope="col">By</th>
              <th scope="col">Queued</th>
              <th scope="col">Finished</th>
            </tr>
          </thead>
          <tbody>
            {commands.map((c) => (
              <tr key={c.id} data-command={c.id}>
                <th scope="row">{c.name}</th>
                <td>
                  <code>{JSON.stringify(c.params)}</code>
                </td>
                <td>
                  <span className={`state cmd-${c.status.toLowerCase()}`}>{c.status}</span>
                </td>
                <td>{c.result ? <code>{JSON.stringify(c.result)}</code> : '—'}</td>
                <td>{c.actor}</td>
                <td>{when(c.queuedAt)}</td>
                <td>{c.completedAt ? when(c.completedAt) : `expires ${when(c.expiresAt)}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {commands.length === 0 && <p>No commands sent.</p>}
    </section>
  );
}

function SendCommand({ tenantId, deviceId }: { tenantId: string; deviceId: string }) {
  const [{ fetching }, send] = useMutation<{ sendCommand: { commandId: string } }>(SEND);
  const [name, setName] = useState('');
  const [params, setParams] = useState('{}');
  const [answer, setAnswer] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <form
      className="send-command"
      aria-label="Send a command"
      onSubmit={(event) => {
        event.preventDefault();
        let parsed: unknown;
        try {
          parsed = JSON.parse(params.trim() || '{}');
        } catch (error) {
          return setAnswer({
            ok: false,
            text: `Parameters: not JSON: ${(error as Error).message}`,
          });
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          return setAnswer({ ok: false, text: 'Parameters must be a JSON object ({ … })' });
        void send({ input: { tenantId, deviceId, name: name.trim(), params: parsed } }).then((r) =>
          setAnswer(
            r.error
              ? { ok: false, text: messageOf(r.error) }
              : { ok: true, text: `Queued as ${r.data!.sendCommand.commandId}.` },
          ),
        );
      }}
    >
      <label>
        Command name{' '}
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          placeholder="Reset"
        />
      </label>
      <label htmlFor="command-params">Parameters (JSON)</label>
      <textarea
        id="command-params"
        rows={3}
        spellCheck={false}
        value={params}
        onChange={(e) => setParams(e.target.value)}
        placeholder={json({ type: 'Soft' })}
      />
      <button type="submit" disabled={fetching || !name.trim()}>
        Send command
      </button>
      {answer && (
        <p role={answer.ok ? 'status' : 'alert'} className={answer.ok ? undefined : 'error'}>
          {answer.text}
        </p>
      )}
    </form>
  );
}

// Bulk provisioning from a CSV file: the API validates every row first (each bad row named by
// its line), then the accepted rows' secrets are offered once as a file to save, and each row's
// outcome follows as the bulk workflow registers it and its device connects.
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useMutation } from 'urql';
import { CSV_COLUMNS } from '../../../../twins/provisioning/bulk-csv';
import { refusalOf } from '../ConfirmAction';
import { may } from '../session';
import { useSession } from '../session-context';
import { BulkRows } from './BulkRows';
import { downloadSecrets, type Identity } from './secrets-file';
import '../operations.css';

const PROVISION = /* GraphQL */ `
  mutation ProvisionDevices($input: ProvisionDevicesInput!) {
    provisionDevices(input: $input) {
      bulkId
      total
      accepted
      identities {
        line
        serial
        method
        secret
      }
      refused {
        line
        serial
        reason
      }
    }
  }
`;

interface Accepted {
  bulkId: string;
  total: number;
  accepted: number;
  identities: Identity[];
  refused: { line: number; serial: string; reason: string }[];
}

interface RowError {
  line: number;
  serial: string | null;
  reason: string;
}

type Refusal = { message: string; errors: RowError[]; errorCount: number };

export function ProvisioningPage({ tenantId }: { tenantId: string }) {
  const { me } = useSession();
  const [search, setSearch] = useSearchParams();
  const [file, setFile] = useState<File | null>(null);
  const [model, setModel] = useState('');
  const [method, setMethod] = useState('');
  const [tags, setTags] = useState('');
  const [accepted, setAccepted] = useState<Accepted | null>(null);
  const [saved, setSaved] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [result, provision] = useMutation<{ provisionDevices: Accepted }>(PROVISION);
  // Secrets not yet saved are lost with the page: the browser asks before leaving.
  const unsaved = accepted !== null && accepted.identities.length > 0 && !saved;
  useEffect(() => {
    if (!unsaved) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    addEventListener('beforeunload', warn);
    return () => removeEventListener('beforeunload', warn);
  }, [unsaved]);
  if (!may(me, 'Mutation', 'provisionDevices'))
    return <p>Your role ({me.role}) may not provision devices.</p>;
  const bulkId = search.get('bulk');

  const submit = async () => {
    if (!file) return;
    setRefusal(null);
    const defaults = Object.fromEntries(
      Object.entries({
        model: model.trim() || undefined,
        method: method || undefined,
        tags: tags.trim()
          ? tags
              .split(';')
              .map((t) => t.trim())
              .filter(Boolean)
          : undefined,
      }).filter(([, v]) => v !== undefined),
    );
    const r = await provision({
      input: { tenantId, format: 'CSV', content: await file.text(), defaults },
    });
    if (r.error) {
      const ext = r.error.graphQLErrors[0]?.extensions ?? {};
      setRefusal({
        message: refusalOf(r.error),
        errors: (ext.errors as RowError[] | undefined) ?? [],
        errorCount: (ext.errorCount as number | undefined) ?? 0,
      });
      return;
    }
    const done = r.data!.provisionDevices;
    setAccepted(done);
    setSaved(false);
    setSearch({ bulk: done.bulkId });
  };

  return (
    <>
      <h1>Bulk provisioning</h1>
      <form
        className="upload"
        aria-label="Upload devices"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <div className="field">
          <label htmlFor="bulk-file">CSV file</label>
          <input
            id="bulk-file"
            type="file"
            accept=".csv,text/csv"
            required
            aria-describedby="bulk-columns"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
          <small id="bulk-columns" className="hint">
            A header row, then one device a line (at most 10,000 rows). Columns, in any order:{' '}
            {CSV_COLUMNS.join(', ')} — only serial is required; tags separated by ;.
          </small>
        </div>
        <fieldset>
          <legend>Defaults for empty cells</legend>
          <label>
            Model <input value={model} onChange={(e) => setModel(e.target.value)} />
          </label>
          <label>
            Method{' '}
            <select value={method} onChange={(e) => setMethod(e.target.value)}>
              <option value="">credentials (default)</option>
              <option value="CREDENTIALS">credentials</option>
              <option value="CLAIM">claim token</option>
            </select>
          </label>
          <label>
            Tags{' '}
            <input
              value={tags}
              onChange={(e) => setTags(e.target.value)}
              placeholder="batch-7;north"
            />
          </label>
        </fieldset>
        <button type="submit" className="primary" disabled={!file || result.fetching}>
          {result.fetching ? 'Provisioning…' : 'Provision'}
        </button>
      </form>
      {refusal && <RefusedFile refusal={refusal} />}
      {accepted && (
        <section aria-labelledby="accepted-heading" className="accepted">
          <h2 id="accepted-heading">Bulk {accepted.bulkId}</h2>
          <p>
            {accepted.accepted} of {accepted.total} rows accepted
            {accepted.refused.length ? `, ${accepted.refused.length} refused` : ''}.
          </p>
          {accepted.identities.length > 0 && (
            <div className="secrets" role="region" aria-label="Secrets">
              <p>
                <strong>Shown once.</strong> The secrets and claim tokens of the{' '}
                {accepted.identities.length} accepted devices are in this answer only — Doppel keeps
                their hashes. Save them now.
              </p>
              <button
                type="button"
                className="primary"
                onClick={() => {
                  downloadSecrets(accepted.bulkId, accepted.identities);
                  setSaved(true);
                }}
              >
                Download secrets (CSV)
              </button>
              {saved && <span role="status"> Saved.</span>}
            </div>
          )}
          {accepted.refused.length > 0 && (
            <RowTable caption="Refused rows" rows={accepted.refused} />
          )}
        </section>
      )}
      {bulkId && <BulkRows tenantId={tenantId} bulkId={bulkId} />}
    </>
  );
}

function RefusedFile({ refusal }: { refusal: Refusal }) {
  return (
    <section role="alert" className="refused">
      <p className="error">
        {refusal.errors.length
          ? `${refusal.errorCount} invalid rows: nothing was started.`
          : refusal.message}
      </p>
      {refusal.errors.length > 0 && <RowTable caption="Invalid rows" rows={refusal.errors} />}
    </section>
  );
}

function RowTable({
  caption,
  rows,
}: {
  caption: string;
  rows: { line: number; serial: string | null; reason: string }[];
}) {
  return (
    <div className="table-box">
      <table aria-label={caption}>
        <thead>
          <tr>
            <th scope="col">Line</th>
            <th scope="col">Serial</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.line}>
              <th scope="row">{r.line}</th>
              <td>{r.serial ?? ''}</td>
              <td>{r.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// The guided rollout form: firmware, target (with the live count of matching devices), canary
// and waves, per-device limits, abort criteria, schedule and maintenance windows, health gate.
// The API judges the configuration; its refusal is shown beside each field it names.
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation } from 'urql';
import { refusalOf } from '../ConfirmAction';
import { may } from '../session';
import { useSession } from '../session-context';
import { tenantPath } from '../tenant-path';
import { FormField } from './FormField';
import {
  emptyForm,
  placeIssues,
  rolloutInput,
  targetFilter,
  type Issue,
  type RolloutForm,
} from './rollout-form';
import { ScheduleFields } from './ScheduleFields';
import { SafetyFields } from './SafetyFields';
import { TargetCount } from './TargetCount';
import '../operations.css';

const START = /* GraphQL */ `
  mutation StartRollout($tenantId: ID!, $rollout: RolloutConfigInput!) {
    startRollout(tenantId: $tenantId, rollout: $rollout) {
      workflowId
      created
    }
  }
`;

/** What a section of the form gets: the form, a setter per field, the issues per field. */
export interface SectionProps {
  form: RolloutForm;
  set<K extends keyof RolloutForm>(key: K, value: RolloutForm[K]): void;
  issues: Record<string, string[]>;
}

export function NewRolloutPage({ tenantId }: { tenantId: string }) {
  const { me } = useSession();
  const navigate = useNavigate();
  const [form, setForm] = useState(() => emptyForm());
  const [issues, setIssues] = useState<Record<string, string[]>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [result, start] = useMutation<{ startRollout: { created: boolean } }>(START);
  if (!may(me, 'Mutation', 'startRollout'))
    return <p>Your role ({me.role}) may not start rollouts.</p>;
  // A field changed is no longer what the API refused: its message goes until the next try.
  const set: SectionProps['set'] = (key, value) => {
    setForm((f) => ({ ...f, [key]: value }));
    setIssues(({ [key]: _, ...rest }) => rest);
  };
  const section = { form, set, issues };
  const field = (key: keyof RolloutForm) => ({
    value: form[key] as string,
    onChange: (v: string) => set(key, v as never),
    issues: issues[key],
  });

  return (
    <>
      <h1>New rollout</h1>
      <p>
        <Link to={tenantPath(tenantId, 'rollouts')}>All rollouts</Link>
      </p>
      <form
        className="rollout-form"
        aria-label="New rollout"
        onSubmit={(event) => {
          event.preventDefault();
          setNotice(null);
          void start({ tenantId, rollout: rolloutInput(form) }).then((r) => {
            if (r.error) {
              const given = r.error.graphQLErrors[0]?.extensions?.issues as Issue[] | undefined;
              setIssues(given ? placeIssues(given) : { form: [refusalOf(r.error)] });
              return;
            }
            setIssues({});
            if (r.data?.startRollout.created)
              void navigate(tenantPath(tenantId, 'rollouts', form.id.trim()));
            else
              setNotice(`A rollout ${form.id.trim()} was started before: nothing new was started.`);
          });
        }}
      >
        <fieldset>
          <legend>Firmware</legend>
          <FormField label="Rollout id" {...field('id')} required hint="letters, digits, . _ -" />
          <FormField label="Version" {...field('version')} required />
          <FormField label="Image URL" {...field('url')} required hint="http(s):// or (s)ftp://" />
          <FormField label="Checksum" {...field('checksum')} hint="e.g. sha256:…" />
          <FormField
            label="Installs over versions"
            {...field('fromVersions')}
            hint="comma-separated; others are skipped"
          />
        </fieldset>
        <fieldset>
          <legend>Target</legend>
          <p className="hint">
            Every given criterion must hold; none: all of the tenant's devices.
          </p>
          <FormField label="Model" {...field('model')} />
          <FormField label="Current firmware" {...field('firmware')} />
          <FormField label="Tag" {...field('tag')} />
          <FormField label="Site" {...field('siteId')} />
          <FormField label="Customer" {...field('customerId')} />
          <TargetCount tenantId={tenantId} filter={targetFilter(form)} />
        </fieldset>
        <SafetyFields {...section} />
        <ScheduleFields {...section} />
        {(issues.form ?? []).map((message) => (
          <p key={message} role="alert" className="error">
            {message}
          </p>
        ))}
        {notice && <p role="status">{notice}</p>}
        <p>
          <button type="submit" className="primary" disabled={result.fetching}>
            Start rollout
          </button>
        </p>
      </form>
    </>
  );
}

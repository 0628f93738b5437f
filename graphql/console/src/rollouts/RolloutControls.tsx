// Pause, resume, abort and retry-failed, each confirmed, for the roles the API allows them to,
// and only where the rollout's status lets the workflow take them.
import { useMutation } from 'urql';
import { ConfirmAction, refusalOf } from '../ConfirmAction';
import { may } from '../session';
import { useSession } from '../session-context';
import type { Counts } from './rollout-view';

type Control = 'pauseRollout' | 'resumeRollout' | 'abortRollout' | 'retryFailedRollout';

const mutationOf = (control: Control) => /* GraphQL */ `
  mutation Control($input: RolloutControlInput!) {
    ${control}(input: $input) {
      accepted
      rollout {
        rolloutId
        status
        reason
      }
    }
  }
`;

/** Which controls make sense in which status (the workflow refuses the others). */
function controlsFor(status: string, counts: Counts): Control[] {
  const running = ['SCHEDULED', 'RUNNING', 'WAITING'].includes(status);
  return [
    ...(running ? (['pauseRollout'] as const) : []),
    ...(status === 'PAUSED' ? (['resumeRollout'] as const) : []),
    ...(running || status === 'PAUSED' ? (['retryFailedRollout', 'abortRollout'] as const) : []),
  ].filter((c) => c !== 'retryFailedRollout' || counts.failed > 0);
}

const WORDING: Record<
  Control,
  { label: string; question: (id: string) => string; reason?: 'optional' }
> = {
  pauseRollout: {
    label: 'Pause',
    question: (id) => `Pause ${id}? Nobody new is commanded; devices updating are still judged.`,
    reason: 'optional',
  },
  resumeRollout: {
    label: 'Resume',
    question: (id) => `Resume ${id}? The next wave is commanded.`,
  },
  retryFailedRollout: {
    label: 'Retry failed',
    question: (id) => `Run the failed devices of ${id} again, as a wave of their own?`,
  },
  abortRollout: {
    label: 'Abort',
    question: (id) => `Abort ${id}? Devices not yet commanded are left out; this cannot be undone.`,
    reason: 'optional',
  },
};

export function RolloutControls(props: {
  tenantId: string;
  rolloutId: string;
  status: string;
  counts: Counts;
}) {
  const { me } = useSession();
  const allowed = controlsFor(props.status, props.counts).filter((c) => may(me, 'Mutation', c));
  if (allowed.length === 0) return null;
  return (
    <div className="controls" role="group" aria-label="Controls">
      {allowed.map((control) => (
        <ControlButton key={control} control={control} {...props} />
      ))}
    </div>
  );
}

function ControlButton({
  control,
  tenantId,
  rolloutId,
}: {
  control: Control;
  tenantId: string;
  rolloutId: string;
}) {
  const [, run] = useMutation(mutationOf(control));
  const wording = WORDING[control];
  return (
    <ConfirmAction
      label={wording.label}
      question={wording.question(rolloutId)}
      {...(wording.reason ? { reason: wording.reason } : {})}
      onConfirm={async (reason) => {
        const r = await run({ input: { tenantId, rolloutId, ...(reason ? { reason } : {}) } });
        return r.error ? refusalOf(r.error) : null;
      }}
    />
  );
}

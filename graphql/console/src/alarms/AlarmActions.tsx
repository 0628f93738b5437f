// What an operator does with an alarm: acknowledge it (someone is on it), assign it, clear it
// (confirmed: it ends the alarm). Each only for the roles the API allows, and when it applies.
import { useState } from 'react';
import { useMutation } from 'urql';
import { ConfirmAction, refusalOf } from '../ConfirmAction';
import { may } from '../session';
import { useSession } from '../session-context';
import type { AlarmRow } from './AlarmTable';

const ALARM = 'alarmId status acknowledged acknowledgedBy assignee clearedAt clearedBy';
const ACKNOWLEDGE = `mutation Ack($t: ID!, $a: ID!) { acknowledgeAlarm(tenantId: $t, alarmId: $a) { ${ALARM} } }`;
const ASSIGN = `mutation Assign($t: ID!, $a: ID!, $who: String) { assignAlarm(tenantId: $t, alarmId: $a, assignee: $who) { ${ALARM} } }`;
const CLEAR = `mutation Clear($t: ID!, $a: ID!) { clearAlarm(tenantId: $t, alarmId: $a) { ${ALARM} } }`;

export function AlarmActions({ tenantId, alarm }: { tenantId: string; alarm: AlarmRow }) {
  const { me } = useSession();
  const [ack, acknowledge] = useMutation(ACKNOWLEDGE);
  const [, clear] = useMutation(CLEAR);
  const vars = { t: tenantId, a: alarm.alarmId };
  const name = `${alarm.alarmType} on ${alarm.deviceId}`;
  return (
    <div className="actions">
      {!alarm.acknowledged && may(me, 'Mutation', 'acknowledgeAlarm') && (
        <button
          type="button"
          aria-label={`Acknowledge ${name}`}
          disabled={ack.fetching}
          onClick={() => void acknowledge(vars)}
        >
          Acknowledge
        </button>
      )}
      {alarm.status === 'ACTIVE' && may(me, 'Mutation', 'assignAlarm') && (
        <AssignForm
          name={name}
          current={alarm.assignee}
          tenantId={tenantId}
          alarmId={alarm.alarmId}
        />
      )}
      {alarm.status === 'ACTIVE' && may(me, 'Mutation', 'clearAlarm') && (
        <ConfirmAction
          label="Clear"
          question={`Clear ${name}? It ends the alarm; the rule may raise a new one.`}
          onConfirm={async () => {
            const r = await clear(vars);
            return r.error ? refusalOf(r.error) : null;
          }}
        />
      )}
      {ack.error && (
        <p role="alert" className="error">
          {refusalOf(ack.error)}
        </p>
      )}
    </div>
  );
}

function AssignForm(props: {
  name: string;
  current: string | null;
  tenantId: string;
  alarmId: string;
}) {
  const [open, setOpen] = useState(false);
  const [who, setWho] = useState(props.current ?? '');
  const [result, assign] = useMutation(ASSIGN);
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Assign
      </button>
    );
  return (
    <form
      className="confirm"
      aria-label={`Assign ${props.name}`}
      onSubmit={(event) => {
        event.preventDefault();
        void assign({ t: props.tenantId, a: props.alarmId, who: who.trim() || null }).then((r) => {
          if (!r.error) setOpen(false);
        });
      }}
    >
      <label>
        Assignee{' '}
        <input
          value={who}
          onChange={(e) => setWho(e.target.value)}
          autoFocus
          placeholder="nobody"
        />
      </label>
      <button type="submit" disabled={result.fetching}>
        Assign
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {result.error && (
        <p role="alert" className="error">
          {refusalOf(result.error)}
        </p>
      )}
    </form>
  );
}

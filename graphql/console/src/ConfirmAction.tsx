// An action that asks first: the button opens a small form that says what will happen (with a
// reason where the API records one), Confirm does it, Cancel leaves everything as it was.
import { useState } from 'react';

export interface ConfirmActionProps {
  /** The button's text, e.g. "Abort". */
  label: string;
  /** What will happen, e.g. "Abort rollout fw-2: devices not yet commanded are left out." */
  question: string;
  /** Ask for a reason (recorded by the API); `required` when the API needs one. */
  reason?: 'optional' | 'required';
  /** Does it; resolves to the API's refusal, or null when done. */
  onConfirm(reason: string): Promise<string | null>;
}

export function ConfirmAction({ label, question, reason, onConfirm }: ConfirmActionProps) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {label}
      </button>
    );
  const close = () => {
    setOpen(false);
    setText('');
    setProblem(null);
  };
  return (
    <form
      className="confirm"
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        setBusy(true);
        void onConfirm(text.trim()).then((refusal) => {
          setBusy(false);
          if (refusal) setProblem(refusal);
          else close();
        });
      }}
    >
      <p>{question}</p>
      {reason && (
        <label>
          Reason{reason === 'optional' ? ' (optional)' : ''}{' '}
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            required={reason === 'required'}
            autoFocus
          />
        </label>
      )}
      <button
        type="submit"
        disabled={busy || (reason === 'required' && !text.trim())}
        autoFocus={!reason}
      >
        Confirm {label.toLowerCase()}
      </button>
      <button type="button" onClick={close}>
        Cancel
      </button>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
    </form>
  );
}

/** The API's message for a failed mutation (its first GraphQL error, else the network's). */
export const refusalOf = (error: { graphQLErrors: { message: string }[]; message: string }) =>
  error.graphQLErrors[0]?.message ?? error.message;

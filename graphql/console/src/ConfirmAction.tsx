// An action that asks first: the button opens a small form that says what will happen, with
// the action's own fields and a reason where the API records one; Confirm does it, Cancel
// leaves everything as it was, and the API's refusal stays on screen.
import { useState, type ReactNode } from 'react';

export interface ConfirmActionProps {
  /** The button's text, e.g. "Abort"; also the form's name. */
  label: string;
  /** What will happen, e.g. "Abort rollout fw-2: devices not yet commanded are left out." */
  question?: string;
  /** The confirming button's text (default "Confirm <label>"), e.g. "Retire meter-2 for good". */
  confirmText?: string;
  /** Ask for a reason (recorded by the API); `required` when the API needs one. */
  reason?: 'optional' | 'required';
  /** Fields of the action's own, above the reason. */
  children?: ReactNode;
  /** Whether the action's own fields are complete. */
  ready?: boolean;
  /** Does it; resolves to the API's refusal, or null when done. */
  onConfirm(reason: string): Promise<string | null>;
}

export function ConfirmAction({
  label,
  question,
  confirmText = `Confirm ${label.toLowerCase()}`,
  reason,
  children,
  ready = true,
  onConfirm,
}: ConfirmActionProps) {
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
      className="confirm action-form"
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
      {question && <p>{question}</p>}
      {children}
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
        disabled={busy || !ready || (reason === 'required' && !text.trim())}
        autoFocus={!reason}
      >
        {confirmText}
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

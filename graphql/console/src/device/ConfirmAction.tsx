// An action that asks for a reason (and any fields of its own), then a confirmation: the button
// opens a form, the form's Confirm does it; the API's refusal or conflict stays on screen.
import { useState, type ReactNode } from 'react';

export interface ConfirmActionProps {
  /** The button's name, e.g. "Maintenance". */
  label: string;
  /** What Confirm will do, in words, e.g. "Put meter-c into maintenance". */
  confirmText: string;
  /** Fields of the action's own, above the reason. */
  children?: ReactNode;
  /** Whether the action's own fields are complete. */
  ready?: boolean;
  /** Does it; answers the API's message when refused, null when done. */
  run(reason: string): Promise<string | null>;
}

export function ConfirmAction({
  label,
  confirmText,
  children,
  ready = true,
  run,
}: ConfirmActionProps) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  if (!open) {
    return (
      <div className="action">
        <button type="button" onClick={() => (setOpen(true), setProblem(null))}>
          {label}
        </button>
      </div>
    );
  }
  return (
    <form
      className="confirm action-form"
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        setBusy(true);
        void run(reason.trim()).then((refused) => {
          setBusy(false);
          setProblem(refused);
          if (refused === null) {
            setOpen(false);
            setReason('');
          }
        });
      }}
    >
      {children}
      <label>
        Reason{' '}
        <input value={reason} onChange={(e) => setReason(e.target.value)} required autoFocus />
      </label>
      <button type="submit" disabled={busy || !ready || !reason.trim()}>
        {confirmText}
      </button>
      <button type="button" onClick={() => setOpen(false)}>
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

// A labelled input of the rollout form with the API's refusal of it beside it (announced, and
// tied to the input with aria-describedby), and a hint of the default when left blank.
import { useId, type InputHTMLAttributes } from 'react';

export interface FormFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange'> {
  label: string;
  value: string;
  onChange(value: string): void;
  /** The API's issues with this field. */
  issues?: string[] | undefined;
  hint?: string;
}

export function FormField({ label, value, onChange, issues, hint, ...input }: FormFieldProps) {
  const id = useId();
  const described = [hint && `${id}-hint`, issues?.length && `${id}-issues`].filter(Boolean);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={issues?.length ? true : undefined}
        aria-describedby={described.length ? described.join(' ') : undefined}
        {...input}
      />
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {issues?.length ? (
        <small id={`${id}-issues`} className="error field-error">
          {issues.join('; ')}
        </small>
      ) : null}
    </div>
  );
}

// A list's filter by status: one select, "any" first; a change shows the first page again.
import { useState } from 'react';

export interface StatusChoice {
  /** The status chosen; '' for any. */
  value: string;
  set(status: string): void;
}

/** The status a paged list is filtered by: choosing one goes back to the first page. */
export function useStatusFilter(pages: { reset(): void }): StatusChoice {
  const [value, setValue] = useState('');
  return {
    value,
    set: (status) => {
      setValue(status);
      pages.reset();
    },
  };
}

export function StatusFilter({
  of,
  label,
  statuses,
  status,
}: {
  /** What the list holds, plural: the form is "Filter <of>". */
  of: string;
  /** The select's label, e.g. "Device status". */
  label: string;
  statuses: readonly string[];
  status: StatusChoice;
}) {
  return (
    <form className="filters" aria-label={`Filter ${of}`} onSubmit={(e) => e.preventDefault()}>
      <label>
        {label}{' '}
        <select value={status.value} onChange={(e) => status.set(e.target.value)}>
          <option value="">any</option>
          {statuses.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
    </form>
  );
}

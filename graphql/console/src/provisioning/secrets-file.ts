// The one-time secrets of a bulk provisioning as a CSV file the browser saves: the API shows
// them once (only their hashes are kept), so this file is the operator's only copy.

export interface Identity {
  line: number;
  serial: string;
  method: string;
  secret: string;
}

/** A CSV cell: quoted when it holds a comma, a quote or a line break (quotes doubled). */
const cell = (value: string | number) => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function secretsCsv(identities: readonly Identity[]): string {
  const rows = identities.map((i) =>
    [i.line, i.serial, i.method.toLowerCase(), i.secret].map(cell).join(','),
  );
  return ['line,serial,method,secret', ...rows].join('\r\n') + '\r\n';
}

export const secretsFileName = (bulkId: string) => `doppel-secrets-${bulkId}.csv`;

/** Saves the file through the browser (an object URL, revoked once the download started). */
export function downloadSecrets(bulkId: string, identities: readonly Identity[]) {
  const url = URL.createObjectURL(new Blob([secretsCsv(identities)], { type: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = secretsFileName(bulkId);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The fleet table's CSV export: one row per device, written by csv-stringify (the CLI's CSV
// writer too), so quoting, embedded quotes and line breaks follow RFC 4180.
import { stringify } from 'csv-stringify/browser/esm/sync';

/** A device as the export asks the API for it. */
export interface ExportedDevice {
  deviceId: string;
  serial: string | null;
  model: string | null;
  firmware: string | null;
  tags: string[];
  lifecycle: { state: string };
  connectivity: { status: string; since: string | null };
  site: { siteId: string } | null;
  customer: { customerId: string } | null;
  asset: { assetId: string } | null;
}

export const CSV_COLUMNS = [
  'id',
  'serial',
  'model',
  'firmware',
  'lifecycle',
  'online',
  'site',
  'customer',
  'asset',
  'tags',
  'last seen',
] as const;

/**
 * When the device was last seen: now (the export's time) while it is online, when its
 * connection ended once it is offline, never (empty) before it ever connected.
 */
function lastSeen(device: ExportedDevice, exportedAt: string): string {
  if (device.connectivity.status === 'ONLINE') return exportedAt;
  if (device.connectivity.status === 'OFFLINE') return device.connectivity.since ?? '';
  return '';
}

/**
 * The CSV file of these devices, header first. A byte-order mark lets spreadsheets read it as
 * UTF-8; cells starting with =, +, - or @ are prefixed with ' so that none runs as a formula
 * (model, firmware and tags come from devices and operators).
 */
export function devicesCsv(devices: readonly ExportedDevice[], exportedAt: string): string {
  const rows = devices.map((d) => [
    d.deviceId,
    d.serial ?? '',
    d.model ?? '',
    d.firmware ?? '',
    d.lifecycle.state,
    String(d.connectivity.status === 'ONLINE'),
    d.site?.siteId ?? '',
    d.customer?.customerId ?? '',
    d.asset?.assetId ?? '',
    d.tags.join(';'),
    lastSeen(d, exportedAt),
  ]);
  return stringify(rows, {
    header: true,
    columns: [...CSV_COLUMNS],
    bom: true,
    escape_formulas: true,
    record_delimiter: 'windows',
  });
}

/** Hands the text to the browser as a file download. */
export function saveFile(name: string, text: string, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once it started; the URL need not outlive this moment.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

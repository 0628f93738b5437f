/**
 * The protocol-neutral "send me your log file": what `requestDeviceLog` asks of a device. OCPP
 * stations get GetDiagnostics (1.6) or GetLog (2.0.1, DiagnosticsLog), native JSON devices an
 * `upload-log` command; each uploads the file by HTTP PUT or POST to `location`, a one-time URL
 * on the gateway (gateway/log-upload.ts).
 */
export const GET_LOG = 'get-log';

export interface GetLog {
  /** The one-time upload URL. */
  readonly location: string;
  /** The number the device's status notifications name the request by (OCPP 2.0.1 requestId). */
  readonly requestNumber: number;
  /** The window of log wanted (ISO 8601), when the operator gave one. */
  readonly from?: string;
  readonly to?: string;
}

export function getLogParams(request: GetLog): Record<string, unknown> {
  return { ...request };
}

/** The request a `get-log` command's params describe, or null when they do not. */
export function readGetLog(params: Record<string, unknown>): GetLog | null {
  const { location, requestNumber, from, to } = params;
  if (typeof location !== 'string' || typeof requestNumber !== 'number') return null;
  return {
    location,
    requestNumber,
    ...(typeof from === 'string' ? { from } : {}),
    ...(typeof to === 'string' ? { to } : {}),
  };
}

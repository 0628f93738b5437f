import { deviceMessage, type DeviceMessage, type GatewayMessage } from './messages';

const decoder = new TextDecoder('utf-8', { fatal: true });

export type Parsed =
  { ok: true; message: DeviceMessage } | { ok: false; error: GatewayMessage & { type: 'error' } };

/**
 * Reads one frame of the native protocol. Never throws and never echoes the input: a bad
 * frame gives the protocol's own error, naming each invalid field.
 */
export function parseDeviceMessage(data: ArrayBuffer, isBinary: boolean): Parsed {
  if (isBinary)
    return fail('gateway:json.binary-frame', 'messages are JSON objects in text frames');
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(data));
  } catch {
    return fail('gateway:json.malformed', 'not valid JSON');
  }
  const parsed = deviceMessage.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const detail = parsed.error.issues
    .map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`)
    .join('; ');
  const seq = (json as { seq?: unknown } | null)?.seq;
  const usable = typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0;
  return fail('gateway:json.invalid-message', detail, usable ? seq : undefined);
}

function fail(code: string, message: string, seq?: number): Parsed {
  return { ok: false, error: { type: 'error', ...(seq ? { seq } : {}), code, message } };
}

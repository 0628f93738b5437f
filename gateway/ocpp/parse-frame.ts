import { OcppError, UNREADABLE_ID } from './ocpp-error';

/** Message ids are strings of at most 36 characters (OCPP-J, both versions). */
export const MAX_MESSAGE_ID = 36;

export type Frame =
  | { type: 'call'; id: string; action: string; payload: Record<string, unknown> }
  | { type: 'result'; id: string; payload: Record<string, unknown> }
  | {
      type: 'error';
      id: string;
      code: string;
      description: string;
      details: Record<string, unknown>;
    };

/** A frame that cannot be read, with the id its CALLERROR must carry. */
export interface FrameFailure {
  id: string;
  error: OcppError;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads one OCPP-J frame: `[2,id,action,payload]`, `[3,id,payload]` or
 * `[4,id,code,description,details]`. Never throws; a failure names the id to answer
 * ("-1" when no valid id can be read) and an error that does not quote the input.
 */
export function parseFrame(data: ArrayBuffer, isBinary: boolean): Frame | FrameFailure {
  const fail = (id: string, code: OcppError['code'], description: string): FrameFailure => ({
    id,
    error: new OcppError(code, description),
  });
  if (isBinary) return fail(UNREADABLE_ID, 'RpcFrameworkError', 'frames are JSON text, not binary');
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(data));
  } catch {
    return fail(UNREADABLE_ID, 'RpcFrameworkError', 'the message is not valid JSON');
  }
  if (!Array.isArray(json) || json.length === 0)
    return fail(UNREADABLE_ID, 'RpcFrameworkError', 'a message is a JSON array [type, id, ...]');
  const [type, id] = json as unknown[];
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_MESSAGE_ID) {
    return fail(
      UNREADABLE_ID,
      'RpcFrameworkError',
      `the message id must be a non-empty string of at most ${MAX_MESSAGE_ID} characters`,
    );
  }
  switch (type) {
    case 2: {
      const [, , action, payload] = json as unknown[];
      if (json.length !== 4 || typeof action !== 'string' || action.length === 0)
        return fail(id, 'FormatViolation', 'a CALL is [2, id, action, payload]');
      if (!isObject(payload)) return fail(id, 'FormatViolation', 'the payload must be an object');
      return { type: 'call', id, action, payload };
    }
    case 3: {
      const [, , payload] = json as unknown[];
      if (json.length !== 3 || !isObject(payload))
        return fail(id, 'FormatViolation', 'a CALLRESULT is [3, id, payload]');
      return { type: 'result', id, payload };
    }
    case 4: {
      const [, , code, description, details] = json as unknown[];
      if (
        json.length !== 5 ||
        typeof code !== 'string' ||
        typeof description !== 'string' ||
        !isObject(details)
      )
        return fail(id, 'FormatViolation', 'a CALLERROR is [4, id, code, description, details]');
      return { type: 'error', id, code, description, details };
    }
    default:
      return fail(id, 'MessageTypeNotSupported', 'message types are 2 (CALL), 3 and 4');
  }
}

export const isFrameFailure = (parsed: Frame | FrameFailure): parsed is FrameFailure =>
  'error' in parsed;

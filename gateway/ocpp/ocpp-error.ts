import type { OcppVersion } from './ocpp-version';

/** CALLERROR codes in OCPP 2.0.1's spelling; `spell` gives the negotiated version's. */
export type OcppErrorCode =
  | 'FormatViolation'
  | 'GenericError'
  | 'InternalError'
  | 'MessageTypeNotSupported'
  | 'NotImplemented'
  | 'NotSupported'
  | 'OccurrenceConstraintViolation'
  | 'PropertyConstraintViolation'
  | 'ProtocolError'
  | 'RpcFrameworkError'
  | 'SecurityError'
  | 'TypeConstraintViolation';

/**
 * OCPP 1.6 spells two codes differently (errata: kept as published) and has no
 * MessageTypeNotSupported or RpcFrameworkError: a frame that is no valid RPC message is a
 * FormationViolation there ("not conform the PDU structure").
 */
const OCPP16_SPELLING: Partial<Record<OcppErrorCode, string>> = {
  FormatViolation: 'FormationViolation',
  OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
  MessageTypeNotSupported: 'FormationViolation',
  RpcFrameworkError: 'FormationViolation',
};

export function spell(code: OcppErrorCode, version: OcppVersion): string {
  return version === 'ocpp1.6' ? (OCPP16_SPELLING[code] ?? code) : code;
}

const CODES: readonly OcppErrorCode[] = [
  'FormatViolation',
  'GenericError',
  'InternalError',
  'MessageTypeNotSupported',
  'NotImplemented',
  'NotSupported',
  'OccurrenceConstraintViolation',
  'PropertyConstraintViolation',
  'ProtocolError',
  'RpcFrameworkError',
  'SecurityError',
  'TypeConstraintViolation',
];
const CODES_16 = new Set(CODES.map((c) => spell(c, 'ocpp1.6')));
const CODES_201 = new Set<string>(CODES);

/** Whether `code` is a CALLERROR code of this version, in its spelling. */
export function isCallErrorCode(code: string, version: OcppVersion): boolean {
  return (version === 'ocpp1.6' ? CODES_16 : CODES_201).has(code);
}

/** The id of a CALLERROR that answers a message whose id could not be read. */
export const UNREADABLE_ID = '-1';

/** errorDescription is at most 255 characters in both versions. */
const MAX_DESCRIPTION = 255;

export type CallErrorFrame = [4, string, string, string, Record<string, unknown>];

/**
 * The one error of the OCPP adapter: whatever goes wrong while answering a station's message
 * becomes an OcppError and is sent from one place as a CALLERROR. Descriptions never quote
 * the station's input.
 */
export class OcppError extends Error {
  override readonly name = 'OcppError';

  constructor(
    readonly code: OcppErrorCode,
    description: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(description);
  }

  /** Any thrown value as an OcppError: unknown failures are InternalError, told without detail. */
  static from(error: unknown): OcppError {
    return error instanceof OcppError
      ? error
      : new OcppError('InternalError', 'the server could not process the message; try again');
  }

  asCallError(messageId: string, version: OcppVersion): CallErrorFrame {
    return [
      4,
      messageId,
      spell(this.code, version),
      this.message.slice(0, MAX_DESCRIPTION),
      this.details,
    ];
  }
}

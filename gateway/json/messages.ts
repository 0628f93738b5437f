import { z } from 'zod';
import { ID_PATTERN } from '../../twins/ids';

/**
 * The native JSON device protocol, version 1 (docs/device-protocol.md). Every message a
 * device sends is one JSON object in one text frame; `seq` is the device's message number,
 * strictly increasing within a connection, echoed in the gateway's answer.
 */
const id = z.string().regex(ID_PATTERN, 'letters, digits, ".", "_" or "-", at most 64');
const seq = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const helloMessage = z
  .strictObject({
    type: z.literal('hello'),
    seq,
    tenant: id,
    device: id,
    /** The device's secret. */
    token: z.string().min(1).max(256).optional(),
    /** Instead of a token, on first connect: the claim token it was provisioned with. */
    claim: z.string().min(1).max(256).optional(),
    model: z.string().min(1).max(128).optional(),
    firmware: z.string().min(1).max(128).optional(),
  })
  .refine((m) => (m.token === undefined) !== (m.claim === undefined), {
    message: 'give either token or claim',
    path: ['token'],
  });

export const reportMessage = z.strictObject({
  type: z.literal('report'),
  seq,
  /** Partial reported state: keys present are set, `null` deletes a key. */
  state: z
    .record(z.string().min(1).max(128), z.json())
    .refine((s) => Object.keys(s).length > 0, 'state is empty'),
});

/** 1–1000 measurements, each with the time the device took it; shared by every protocol. */
export const telemetrySamples = z
  .array(
    z.strictObject({
      /** When the device measured it (ISO 8601 with offset). */
      at: z.iso.datetime({ offset: true }),
      values: z
        .record(z.string().min(1).max(128), z.json())
        .refine((v) => Object.keys(v).length > 0, 'values is empty'),
    }),
  )
  .min(1)
  .max(1000);

/**
 * Measurements: stored as telemetry samples in PostgreSQL (acked after COMMIT), not in the
 * twin's reported state — a twin holds state, not every sample.
 */
export const telemetryMessage = z.strictObject({
  type: z.literal('telemetry'),
  seq,
  samples: telemetrySamples,
});

/** 1–500 log lines, shared by every protocol (JSON `log` message, MQTT log topic). */
export const logLines = z
  .array(
    z.strictObject({
      /** When the device wrote it (ISO 8601 with offset). */
      at: z.iso.datetime({ offset: true }),
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']),
      text: z.string().min(1).max(8192),
      /** Which part of the device wrote it (a module, a connector). */
      source: z.string().max(128).optional(),
      attributes: z.record(z.string().min(1).max(128), z.json()).optional(),
    }),
  )
  .min(1)
  .max(500);
export type LogMessageLine = z.infer<typeof logLines>[number];

/**
 * Log lines: stored in the device log (searchable through GraphQL and `doppel logs`), acked
 * after COMMIT with how many lines the device's rate (default 100 a second) dropped.
 */
export const logMessage = z.strictObject({
  type: z.literal('log'),
  seq,
  lines: logLines,
});

/** The device's answer to a command the gateway sent (`{"type":"command",…}`). */
export const commandResultMessage = z.strictObject({
  type: z.literal('command-result'),
  seq,
  id: z.string().min(1).max(64),
  status: z.enum(['accepted', 'rejected', 'failed']),
  result: z.record(z.string(), z.json()).optional(),
});

export const deviceMessage = z.discriminatedUnion('type', [
  helloMessage,
  reportMessage,
  telemetryMessage,
  logMessage,
  commandResultMessage,
]);
export type DeviceMessage = z.infer<typeof deviceMessage>;

/** What the gateway sends to a device. */
export type GatewayMessage =
  | {
      type: 'welcome';
      seq: number;
      session: string;
      /** After a claim: the device's own secret, to keep and use as `token` from now on. */
      credentials?: { token: string };
    }
  | {
      type: 'ack';
      seq: number;
      /** Log lines over the device's rate, not stored. */ dropped?: number;
    }
  /** What the device should change: the shadow delta, at this shadow version. */
  | { type: 'desired'; version: number; state: Record<string, unknown> }
  /** A command; the device answers with command-result and the same id. */
  | { type: 'command'; id: string; name: string; params: Record<string, unknown> }
  | { type: 'error'; seq?: number; code: string; message: string };

/** WebSocket close codes of the protocol (4000–4999 are the application's range). */
export const CloseCode = {
  unauthorized: 4401,
  helloTimeout: 4408,
  badHello: 4400,
  goingAway: 1001,
  /** RFC 6455 1013 "try again later": admission control refused the device for now. */
  tryAgainLater: 1013,
} as const;

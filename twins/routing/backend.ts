import { z } from 'zod';
import { ID_PATTERN } from '../ids';

/** Who a backend is for: every device of the tenant unless narrowed by device ids or models. */
export const backendMatchSchema = z
  .object({
    /** Only these devices (ids); left out = any device. */
    devices: z.array(z.string().regex(ID_PATTERN)).min(1).max(10_000).optional(),
    /** Only devices registered with these models; left out = any model. */
    models: z.array(z.string().min(1).max(128)).min(1).max(1_000).optional(),
  })
  .strict();

export type BackendMatch = z.infer<typeof backendMatchSchema>;

const identity = {
  id: z.string().regex(ID_PATTERN, 'a slug: letters, digits, . _ - (at most 64)'),
  enabled: z.boolean().default(true),
  match: backendMatchSchema.default({}),
};

const common = {
  ...identity,
  /** Messages held for this backend while it is unreachable, per device; the oldest go first when full. */
  bufferLimit: z.number().int().min(1).max(100_000).default(1_000),
};

/**
 * An upstream OCPP CSMS: one WebSocket per station, `${url}/${identity}`, speaking the
 * station's own OCPP version. The primary's answers go back to the station; a secondary
 * gets copies and its answers are dropped.
 */
export const ocppBackendSchema = z
  .object({
    ...common,
    kind: z.literal('ocpp'),
    url: z
      .url({ protocol: /^wss?$/, error: 'a ws:// or wss:// URL' })
      .transform((u) => u.replace(/\/+$/, '')),
    role: z.enum(['primary', 'secondary']).default('secondary'),
    /** Backend-initiated CALLs the station may receive (OCPP action names); none by default. */
    allowedActions: z
      .array(z.string().regex(/^[A-Za-z0-9]{1,64}$/))
      .max(100)
      .default([]),
    /** How long a station's CALL waits for the primary's answer before it gets a CALLERROR (ms). */
    replyTimeoutMs: z.number().int().min(100).max(300_000).default(10_000),
    /** The Basic-auth password the gateway presents upstream (user = the station's identity). */
    secret: z.string().min(8).max(256).optional(),
  })
  .strict();

/** An HTTP endpoint receiving every device's messages, signed with HMAC-SHA256 over `secret`. */
export const webhookBackendSchema = z
  .object({
    ...common,
    kind: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }),
    secret: z.string().min(16, 'at least 16 characters').max(256),
  })
  .strict();

/** A field an OCPI backend cannot have: refused with its path rather than as an unknown key. */
const absent = (why: string) => z.never({ error: why }).optional();

/**
 * An OCPI party (an eMSP) as a destination: nothing is opened or sent by the gateway; the
 * match narrows which stations the party sees in its Locations, status pushes and Commands
 * (docs/ocpi.md). A party without an enabled OCPI backend sees the whole tenant.
 */
export const ocpiBackendSchema = z
  .object({
    ...identity,
    kind: z.literal('ocpi'),
    /** The party (of the same tenant) this backend narrows. */
    ocpiPartyId: z.string().regex(ID_PATTERN, 'an OCPI party id'),
    url: absent('an OCPI backend has no url: the party has its own endpoints'),
    secret: absent('an OCPI backend has no secret: the party has its own tokens'),
    role: absent('an OCPI backend has no role: it only narrows what its party sees'),
    allowedActions: absent('an OCPI backend has no allowedActions'),
    replyTimeoutMs: absent('an OCPI backend has no replyTimeoutMs'),
    bufferLimit: absent('an OCPI backend has no bufferLimit: nothing is buffered for it'),
  })
  .strict();

export const backendSchema = z.discriminatedUnion('kind', [
  ocppBackendSchema,
  webhookBackendSchema,
  ocpiBackendSchema,
]);

export type OcppBackend = z.infer<typeof ocppBackendSchema>;
export type WebhookBackend = z.infer<typeof webhookBackendSchema>;
export type OcpiBackend = z.infer<typeof ocpiBackendSchema>;
export type Backend = z.infer<typeof backendSchema>;

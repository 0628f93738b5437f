import { z } from 'zod';
import { ID_PATTERN } from '../ids';
import { CLAIM_TOKEN_WEAK, claimTokenWeakness } from './claim-token';

const id = z.string().regex(ID_PATTERN, 'a slug: letters, digits, . _ - (at most 64)');
const jsonObject = z.record(z.string(), z.unknown());

/**
 * What activation must show before a provisioned device counts as active: a first
 * connection, plus the model, firmware and reported configuration given here.
 */
export const activationExpectSchema = z
  .object({
    model: z.string().min(1).max(128).optional(),
    firmware: z.string().min(1).max(128).optional(),
    /** Reported fields (dot paths) and the values they must have, e.g. `{ "config.interval": 60 }`. */
    reported: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a dot path such as config.interval'),
        z.unknown(),
      )
      .refine((r) => Object.keys(r).length <= 50, 'at most 50 reported fields')
      .optional(),
  })
  .strict();

export type ActivationExpect = z.infer<typeof activationExpectSchema>;

const provisionFields = z
  .object({
    serial: id,
    model: z.string().min(1).max(128).optional(),
    method: z.enum(['credentials', 'claim']).default('credentials'),
    /** A claim token chosen by the operator (printed on the device; see claim-token.ts); generated when left out. */
    claimToken: z
      .string()
      .max(256)
      .superRefine((token, ctx) => {
        const weakness = claimTokenWeakness(token);
        if (weakness)
          ctx.addIssue({
            code: 'custom',
            message: `too weak: ${weakness}`,
            params: { code: CLAIM_TOKEN_WEAK },
          });
      })
      .optional(),
    /** How long the claim token may be used (seconds). */
    claimExpiresInS: z
      .number()
      .int()
      .min(60)
      .max(365 * 24 * 3600)
      .default(7 * 24 * 3600),
    /** The asset the device is installed in (its site and customer come with it). */
    assetId: id.optional(),
    tags: z.array(z.string().min(1).max(64)).max(50).optional(),
    /** Desired configuration the device receives when it connects. */
    desired: jsonObject.optional(),
    expect: activationExpectSchema.default({}),
    /** Activation must be verified within this time (seconds), or provisioning fails. */
    activationTimeoutS: z
      .number()
      .int()
      .min(5)
      .max(90 * 24 * 3600)
      .default(7 * 24 * 3600),
  })
  .strict();

/**
 * One device to provision: the serial is its device id (provisioning is idempotent by it).
 * Identity comes either as credentials generated now and shown once, or as a claim token the
 * device presents with its serial on first connect to receive its own credentials.
 */
export const provisionRequestSchema = provisionFields.refine(
  (r) => r.method === 'claim' || r.claimToken === undefined,
  {
    message: 'a claim token only goes with method "claim"',
    path: ['claimToken'],
  },
);

/**
 * What a bulk provisioning may set for every row of its file (a row's own value wins): the
 * fields that make sense for many devices at once (an asset holds one device, so no assetId).
 */
export const bulkDefaultsSchema = provisionFields
  .pick({
    model: true,
    method: true,
    claimExpiresInS: true,
    tags: true,
    desired: true,
    expect: true,
    activationTimeoutS: true,
  })
  .partial();

export type ProvisionRequest = z.infer<typeof provisionRequestSchema>;

/** What a tenant's admission hook may change in a request before it goes ahead. */
export const admissionAmendSchema = z
  .object({
    model: z.string().min(1).max(128).optional(),
    assetId: id.optional(),
    tags: z.array(z.string().min(1).max(64)).max(50).optional(),
    desired: jsonObject.optional(),
    expect: activationExpectSchema.optional(),
  })
  .strict();

/** The admission hook's answer: allow (optionally amended) or refuse with a reason. */
export const admissionAnswerSchema = z.discriminatedUnion('allow', [
  z.object({ allow: z.literal(true), amend: admissionAmendSchema.optional() }),
  z.object({ allow: z.literal(false), reason: z.string().min(1).max(1_000) }),
]);

export type AdmissionAnswer = z.infer<typeof admissionAnswerSchema>;

export type AdmissionAmend = z.infer<typeof admissionAmendSchema>;

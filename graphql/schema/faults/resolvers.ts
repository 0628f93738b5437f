import {
  countFaultFingerprints,
  listFaultFingerprints,
  resolveFault,
  type FaultCursor,
  type FaultFilter,
} from '../../../db/fault-fingerprints';
import { DoppelError } from '../../../twins/errors';
import { apiError } from '../../errors';
import { connection, pageRequest, type PageArgs } from '../graph/connection';
import { requireId } from '../graph/input';
import type { ApiContext } from '../resolvers';

const MAX_FIRMWARE = 128;

/** Where a listing goes on: its cursor carries the last row's `lastSeen|fingerprint`. */
function afterOf(after: string | null): FaultCursor | null {
  if (after === null) return null;
  const [lastSeen, fingerprint] = after.split('|');
  if (!lastSeen || !fingerprint || Number.isNaN(Date.parse(lastSeen)))
    throw apiError('api:input.invalid-cursor', `${after} is not a cursor of this listing`);
  return { lastSeen, fingerprint };
}

function fingerprintOf(value: string): string {
  if (!/^[0-9a-f]{32}$/.test(value))
    throw apiError('api:input.invalid-fingerprint', `${value} is not a fault fingerprint`, {
      field: 'fingerprint',
    });
  return value;
}

type FilterInput = { [K in keyof FaultFilter]?: FaultFilter[K] | null };

const filterOf = (input: FilterInput | null | undefined): FaultFilter =>
  Object.fromEntries(
    Object.entries(input ?? {}).filter(([, v]) => v !== null && v !== undefined),
  ) as FaultFilter;

export const faultResolvers = {
  FaultStatus: { OPEN: 'open', RESOLVED: 'resolved', REGRESSED: 'regressed' },
  Query: {
    faultFingerprints: async (
      _: unknown,
      args: { tenantId: string; filter?: FilterInput | null } & PageArgs,
      ctx: ApiContext,
    ) => {
      requireId('tenantId', args.tenantId);
      const page = pageRequest({ first: args.first ?? null, after: args.after ?? null });
      const filter = filterOf(args.filter);
      const rows = await listFaultFingerprints(ctx.database, args.tenantId, filter, {
        first: page.first,
        after: afterOf(page.after),
      });
      return connection(
        rows,
        page,
        (f) => `${f.lastSeen}|${f.fingerprint}`,
        (f) => f,
        () => countFaultFingerprints(ctx.database, args.tenantId, filter),
      );
    },
  },
  Mutation: {
    resolveFault: async (
      _: unknown,
      args: { tenantId: string; fingerprint: string; resolvedInFirmware?: string | null },
      ctx: ApiContext,
    ) => {
      requireId('tenantId', args.tenantId);
      const firmware = args.resolvedInFirmware?.trim() || null;
      if (firmware !== null && firmware.length > MAX_FIRMWARE)
        throw apiError(
          'api:input.too-long',
          `resolvedInFirmware: at most ${MAX_FIRMWARE} characters`,
        );
      try {
        return await resolveFault(ctx.database, {
          tenantId: args.tenantId,
          actor: ctx.principal.actor,
          fingerprint: fingerprintOf(args.fingerprint),
          resolvedInFirmware: firmware,
        });
      } catch (error) {
        if (error instanceof DoppelError) throw apiError(error.code, error.message);
        throw error;
      }
    },
  },
};

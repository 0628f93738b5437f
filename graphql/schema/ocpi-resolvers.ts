import { z } from 'zod';
import {
  createOcpiParty,
  findOcpiParty,
  listOcpiParties,
  removeOcpiParty,
  setOcpiTokenA,
  updateOcpiParty,
  type OcpiPartyRow,
} from '../../db/ocpi-party-store';
import {
  listOcpiLocationRows,
  putOcpiLocation,
  removeOcpiLocation,
} from '../../db/ocpi-location-store';
import { registerWithEmsp } from '../ocpi/credentials';
import { locationDetails } from '../../twins/ocpi/location-details';
import { tariffDetails } from '../../twins/ocpi/tariff-details';
import { listOcpiTariffs, putOcpiTariff, removeOcpiTariff } from '../../db/ocpi-tariff-store';
import { OcpiError } from '../ocpi/envelope';
import { versionsUrl } from '../ocpi/ocpi-deps';
import { newOcpiToken } from '../ocpi/token-header';
import { apiError } from '../errors';
import { requireId } from './graph/input';
import { requireReachable } from './reachable';
import type { ApiContext } from './resolvers';

export const OCPI_PARTY_EXISTS = 'ocpi:party.exists';
export const OCPI_PARTY_NOT_FOUND = 'ocpi:party.not-found';

type PartyArgs = { tenantId: string; ocpiPartyId: string };
type PartyInput = {
  tenantId: string;
  id: string;
  cpoCountryCode?: string | null;
  cpoPartyId?: string | null;
  cpoName?: string | null;
};

/** Doppel's CPO identity as OCPI's CredentialsRole needs it. */
const identity = z.object({
  cpoCountryCode: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 country code')
    .transform((s) => s.toUpperCase()),
  cpoPartyId: z
    .string()
    .regex(/^[A-Za-z0-9]{3}$/, '3 letters or digits')
    .transform((s) => s.toUpperCase()),
  cpoName: z.string().trim().min(1).max(100),
});

const invalid = (error: z.ZodError) =>
  apiError(
    'ocpi:input.invalid',
    error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    { reasons: error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) },
  );

function parsedIdentity(candidate: Record<string, unknown>) {
  const parsed = identity.safeParse(candidate);
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}

const notFound = (a: PartyArgs) =>
  apiError(OCPI_PARTY_NOT_FOUND, `no OCPI party ${a.ocpiPartyId} in tenant ${a.tenantId}`);

function requireKey(a: PartyArgs) {
  requireId('tenantId', a.tenantId);
  requireId('ocpiPartyId', a.ocpiPartyId);
}

function ocpiOf(ctx: ApiContext) {
  if (!ctx.ocpi) throw apiError('ocpi:unavailable', 'this API process serves no OCPI interface');
  return ctx.ocpi;
}

const withToken = (ctx: ApiContext, party: OcpiPartyRow, tokenA: string) => ({
  party,
  tokenA,
  versionsUrl: versionsUrl(ocpiOf(ctx)),
});

export const ocpiResolvers = {
  OcpiParty: {
    id: (p: OcpiPartyRow) => p.partyId,
    status: (p: OcpiPartyRow) => p.status.toUpperCase(),
    emspCountryCode: (p: OcpiPartyRow) => p.countryCode,
    emspPartyId: (p: OcpiPartyRow) => p.partyCode,
    emspName: (p: OcpiPartyRow) => p.name,
  },
  Query: {
    ocpiTariffs: (_: unknown, args: { tenantId: string }, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      return listOcpiTariffs(ctx.database, args.tenantId);
    },
    ocpiLocations: (_: unknown, args: { tenantId: string }, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      return listOcpiLocationRows(ctx.database, args.tenantId);
    },
    ocpiParties: (_: unknown, args: { tenantId: string }, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      return listOcpiParties(ctx.database, args.tenantId);
    },
    ocpiParty: (_: unknown, args: PartyArgs, ctx: ApiContext) => {
      requireKey(args);
      return findOcpiParty(ctx.database, args.tenantId, args.ocpiPartyId);
    },
  },
  Mutation: {
    registerOcpiParty: async (_: unknown, { input }: { input: PartyInput }, ctx: ApiContext) => {
      const key = { tenantId: input.tenantId, ocpiPartyId: input.id };
      requireKey(key);
      const fields = parsedIdentity(input);
      const tokenA = newOcpiToken();
      const saved = await createOcpiParty(
        ctx.database,
        input.tenantId,
        { partyId: input.id, ...fields },
        tokenA,
      );
      if (!saved)
        throw apiError(
          OCPI_PARTY_EXISTS,
          `OCPI party ${input.id} exists: update it, renew its token or remove it first`,
        );
      return withToken(ctx, saved, tokenA);
    },
    updateOcpiParty: async (_: unknown, { input }: { input: PartyInput }, ctx: ApiContext) => {
      const key = { tenantId: input.tenantId, ocpiPartyId: input.id };
      requireKey(key);
      const stored = await findOcpiParty(ctx.database, input.tenantId, input.id);
      if (!stored) throw notFound(key);
      const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v != null));
      const fields = parsedIdentity({ ...stored, ...given });
      const saved = await updateOcpiParty(ctx.database, input.tenantId, {
        partyId: input.id,
        ...fields,
      });
      if (!saved) throw notFound(key);
      return saved;
    },
    renewOcpiPartyToken: async (_: unknown, args: PartyArgs, ctx: ApiContext) => {
      requireKey(args);
      const tokenA = newOcpiToken();
      const saved = await setOcpiTokenA(ctx.database, args.tenantId, args.ocpiPartyId, tokenA);
      if (!saved) throw notFound(args);
      return withToken(ctx, saved, tokenA);
    },
    connectOcpiParty: async (
      _: unknown,
      args: PartyArgs & { versionsUrl: string; token: string },
      ctx: ApiContext,
    ) => {
      requireKey(args);
      const party = await findOcpiParty(ctx.database, args.tenantId, args.ocpiPartyId);
      if (!party) throw notFound(args);
      // A new handshake would replace the token C the eMSP uses now before it succeeded.
      if (party.status === 'connected')
        throw apiError(
          'ocpi:party.connected',
          `OCPI party ${args.ocpiPartyId} is connected: the eMSP updates with PUT /credentials, or remove the party first`,
        );
      if (!z.url({ protocol: /^https?$/ }).safeParse(args.versionsUrl).success)
        throw apiError('ocpi:input.invalid', 'versionsUrl must be an http:// or https:// URL', {
          field: 'versionsUrl',
        });
      if (args.token.length < 1 || args.token.length > 64)
        throw apiError('ocpi:input.invalid', 'token is 1–64 characters (OCPI string(64))', {
          field: 'token',
        });
      requireReachable(ctx, args.versionsUrl);
      try {
        return await registerWithEmsp(ocpiOf(ctx), party, args.versionsUrl, args.token);
      } catch (error) {
        if (error instanceof OcpiError) throw apiError(error.code, error.message);
        throw error;
      }
    },
    setOcpiLocation: async (
      _: unknown,
      args: { tenantId: string; siteId: string; location: unknown; publish: boolean },
      ctx: ApiContext,
    ) => {
      requireId('tenantId', args.tenantId);
      requireId('siteId', args.siteId);
      if (args.siteId.length > 36)
        throw apiError('ocpi:input.invalid', 'an OCPI location id is at most 36 characters', {
          field: 'siteId',
        });
      const parsed = locationDetails.safeParse(args.location);
      if (!parsed.success) throw invalid(parsed.error);
      const saved = await putOcpiLocation(
        ctx.database,
        args.tenantId,
        args.siteId,
        parsed.data,
        args.publish,
      );
      if (!saved)
        throw apiError('ocpi:site.not-found', `no site ${args.siteId} in tenant ${args.tenantId}`);
      return saved;
    },
    setOcpiTariff: async (
      _: unknown,
      args: {
        tenantId: string;
        tariffId: string;
        tariff: unknown;
        siteIds: string[];
        assetIds: string[];
      },
      ctx: ApiContext,
    ) => {
      requireId('tenantId', args.tenantId);
      requireId('tariffId', args.tariffId);
      if (args.tariffId.length > 36)
        throw apiError('ocpi:input.invalid', 'an OCPI tariff id is at most 36 characters', {
          field: 'tariffId',
        });
      for (const id of [...args.siteIds, ...args.assetIds]) requireId('siteIds/assetIds', id);
      const parsed = tariffDetails.safeParse(args.tariff);
      if (!parsed.success) throw invalid(parsed.error);
      return putOcpiTariff(ctx.database, args.tenantId, {
        tariffId: args.tariffId,
        details: parsed.data,
        siteIds: [...new Set(args.siteIds)],
        assetIds: [...new Set(args.assetIds)],
      });
    },
    removeOcpiTariff: async (
      _: unknown,
      args: { tenantId: string; tariffId: string },
      ctx: ApiContext,
    ) => {
      requireId('tenantId', args.tenantId);
      requireId('tariffId', args.tariffId);
      return { removed: await removeOcpiTariff(ctx.database, args.tenantId, args.tariffId) };
    },
    removeOcpiLocation: async (
      _: unknown,
      args: { tenantId: string; siteId: string },
      ctx: ApiContext,
    ) => {
      requireId('tenantId', args.tenantId);
      requireId('siteId', args.siteId);
      return { removed: await removeOcpiLocation(ctx.database, args.tenantId, args.siteId) };
    },
    removeOcpiParty: async (_: unknown, args: PartyArgs, ctx: ApiContext) => {
      requireKey(args);
      return { removed: await removeOcpiParty(ctx.database, args.tenantId, args.ocpiPartyId) };
    },
  },
};

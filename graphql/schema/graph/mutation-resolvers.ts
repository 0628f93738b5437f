import { WorkflowNotFoundError } from '@temporalio/client';
import { insertCustomer, insertSite } from '../../../db/customer-site-store';
import { assetsByIds, customersByIds, sitesByIds } from '../../../db/graph-lookups';
import { ASSET_NOT_FOUND } from '../../../twins/asset';
import type { AssetKey } from '../../../twins/ids';
import { assetTwinHandle, createAssetTwin } from '../../../workflows/asset-twin/client';
import {
  bindDeviceUpdate,
  setAssetAttributesUpdate,
  unbindDeviceUpdate,
  type AssetChangeResult,
} from '../../../workflows/asset-twin/messages';
import { apiError, fromTemporal } from '../../errors';
import type { ApiContext } from '../resolvers';
import { requireId } from './input';
import { assetView, customerView, siteView } from './views';

type Input<T> = { input: T & { tenantId: string } };

function requireName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw apiError('api:input.name-required', 'give it a name');
  return trimmed;
}

const REASON_MAX = 500;

/** A binding's reason as the twin takes it: trimmed, left out when blank, refused when long. */
function bindingReason(reason: string | null | undefined): { reason?: string } {
  const trimmed = reason?.trim();
  if (!trimmed) return {};
  if (trimmed.length > REASON_MAX)
    throw apiError('api:input.too-long', `reason: at most ${REASON_MAX} characters`);
  return { reason: trimmed };
}

/** Checks ids first, so that nothing is written or started for input that can never work. */
function requireIds(ids: Record<string, string | null | undefined>): void {
  for (const [name, value] of Object.entries(ids)) if (value) requireId(name, value);
}

/** Runs an asset twin change and answers with the projected asset, or the twin's code. */
async function changeAsset(
  ctx: ApiContext,
  key: AssetKey,
  change: () => Promise<AssetChangeResult>,
) {
  let result: AssetChangeResult;
  try {
    result = await change();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      throw apiError(ASSET_NOT_FOUND, `asset ${key.assetId} does not exist`);
    throw fromTemporal(error, `asset ${key.assetId}`);
  }
  // The twin answers once its change is projected, so the row is at least this version.
  const [row] = await assetsByIds(ctx.database, key.tenantId, [key.assetId]);
  if (!row) throw apiError(ASSET_NOT_FOUND, `asset ${key.assetId} does not exist`);
  return { version: result.version, asset: assetView(row) };
}

export const graphMutationResolvers = {
  Mutation: {
    createCustomer: async (
      _: unknown,
      { input }: Input<{ customerId: string; name: string }>,
      ctx: ApiContext,
    ) => {
      requireIds({ tenantId: input.tenantId, customerId: input.customerId });
      const row = await insertCustomer(ctx.database, { ...input, name: requireName(input.name) });
      if (!row) {
        throw apiError(
          'graph:customer.already-exists',
          `customer ${input.customerId} exists already in tenant ${input.tenantId}`,
        );
      }
      return { customer: customerView(row) };
    },

    createSite: async (
      _: unknown,
      {
        input,
      }: Input<{ siteId: string; customerId: string; name: string; tags?: string[] | null }>,
      ctx: ApiContext,
    ) => {
      const { tenantId, siteId, customerId } = input;
      requireIds({ tenantId, siteId, customerId });
      const [customer] = await customersByIds(ctx.database, tenantId, [customerId]);
      if (!customer) {
        throw apiError('graph:customer.not-found', `customer ${customerId} does not exist`);
      }
      const tags = [...new Set((input.tags ?? []).map((t) => t.trim()).filter(Boolean))].sort();
      const row = await insertSite(ctx.database, {
        tenantId,
        siteId,
        customerId,
        name: requireName(input.name),
        tags,
      });
      if (!row) throw apiError('graph:site.already-exists', `site ${siteId} exists already`);
      return { site: siteView(row) };
    },

    createAsset: async (
      _: unknown,
      {
        input,
      }: Input<{
        assetId: string;
        siteId: string;
        name: string;
        kind?: string | null;
        attributes?: Record<string, unknown> | null;
        tags?: string[] | null;
      }>,
      ctx: ApiContext,
    ) => {
      const { tenantId, assetId, siteId } = input;
      requireIds({ tenantId, assetId, siteId });
      const name = requireName(input.name);
      const [site] = await sitesByIds(ctx.database, tenantId, [siteId]);
      if (!site) throw apiError('graph:site.not-found', `site ${siteId} does not exist`);
      const key = { tenantId, assetId };
      return changeAsset(ctx, key, () =>
        createAssetTwin(ctx.temporal, key, {
          actor: ctx.principal.actor,
          name,
          kind: input.kind ?? null,
          siteId,
          customerId: site.customerId,
          attributes: input.attributes ?? {},
          tags: input.tags ?? [],
        }),
      );
    },

    setAssetAttributes: async (
      _: unknown,
      {
        input,
      }: Input<{
        assetId: string;
        attributes?: Record<string, unknown> | null;
        name?: string | null;
        tags?: string[] | null;
      }>,
      ctx: ApiContext,
    ) => {
      const { tenantId, assetId } = input;
      requireIds({ tenantId, assetId });
      const key = { tenantId, assetId };
      return changeAsset(ctx, key, () =>
        assetTwinHandle(ctx.temporal, key).executeUpdate(setAssetAttributesUpdate, {
          args: [
            {
              actor: ctx.principal.actor,
              ...(input.attributes ? { attributes: input.attributes } : {}),
              ...(typeof input.name === 'string' ? { name: input.name } : {}),
              ...(input.tags ? { tags: input.tags } : {}),
            },
          ],
        }),
      );
    },

    bindDevice: async (
      _: unknown,
      { input }: Input<{ assetId: string; deviceId: string; reason?: string | null }>,
      ctx: ApiContext,
    ) => {
      const { tenantId, assetId, deviceId } = input;
      requireIds({ tenantId, assetId, deviceId });
      const why = bindingReason(input.reason);
      const key = { tenantId, assetId };
      return changeAsset(ctx, key, () =>
        assetTwinHandle(ctx.temporal, key).executeUpdate(bindDeviceUpdate, {
          args: [{ actor: ctx.principal.actor, deviceId, ...why }],
        }),
      );
    },

    unbindDevice: async (
      _: unknown,
      { input }: Input<{ assetId: string; deviceId?: string | null; reason?: string | null }>,
      ctx: ApiContext,
    ) => {
      const { tenantId, assetId, deviceId } = input;
      requireIds({ tenantId, assetId, deviceId });
      const why = bindingReason(input.reason);
      const key = { tenantId, assetId };
      return changeAsset(ctx, key, () =>
        assetTwinHandle(ctx.temporal, key).executeUpdate(unbindDeviceUpdate, {
          args: [{ actor: ctx.principal.actor, ...(deviceId ? { deviceId } : {}), ...why }],
        }),
      );
    },
  },
};

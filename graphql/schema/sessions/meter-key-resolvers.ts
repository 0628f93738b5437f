import {
  findMeterPublicKey,
  setMeterPublicKey,
  type StoredMeterKey,
} from '../../../db/meter-key-store';
import type { DeviceTwinState } from '../../../twins/device';
import { DoppelError } from '../../../twins/errors';
import { parseMeterPublicKey } from '../../../twins/sessions';
import { apiError } from '../../errors';
import { requireId } from '../graph/input';
import type { ApiContext } from '../resolvers';

/** A DER key of the largest OCMF curve is 124 bytes; printed with separators, well under this. */
const MAX_KEY_TEXT = 1024;

const view = (key: StoredMeterKey | null) =>
  key && { ...key, registeredAt: new Date(key.registeredAt).toISOString() };

export const meterKeyResolvers = {
  Mutation: {
    setMeterPublicKey: async (
      _: unknown,
      { input }: { input: { tenantId: string; deviceId: string; publicKey?: string | null } },
      ctx: ApiContext,
    ) => {
      requireId('tenantId', input.tenantId);
      requireId('deviceId', input.deviceId);
      const text = input.publicKey ?? null;
      if (text !== null && text.length > MAX_KEY_TEXT)
        throw apiError('api:input.too-long', `publicKey: at most ${MAX_KEY_TEXT} characters`);
      const parsed = text === null ? null : parseMeterPublicKey(text);
      if (parsed && !parsed.ok)
        throw apiError('api:input.invalid-meter-key', `publicKey: ${parsed.reason}`, {
          field: 'publicKey',
        });
      try {
        const { current, replaced } = await setMeterPublicKey(
          ctx.database,
          {
            tenantId: input.tenantId,
            deviceId: input.deviceId,
            actor: ctx.principal.actor,
            role: ctx.principal.role,
          },
          parsed?.ok ? parsed.key : null,
        );
        return {
          deviceId: input.deviceId,
          meterPublicKey: view(current),
          replaced: view(replaced),
        };
      } catch (error) {
        if (error instanceof DoppelError) throw apiError(error.code, error.message);
        throw error;
      }
    },
  },
  Device: {
    meterPublicKey: async (device: DeviceTwinState, _: unknown, ctx: ApiContext) =>
      view(await findMeterPublicKey(ctx.database, device)),
  },
};

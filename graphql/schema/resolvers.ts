import type { UrlPolicy } from './reachable';
import type { OcpiDeps } from '../ocpi/ocpi-deps';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { JSONObjectResolver } from 'graphql-scalars';
import { DateTime } from './date-time';
import type { Database } from '../../db/client';
import { issueDeviceSecret } from '../../db/credentials';
import { readTelemetry } from '../../db/telemetry-store';
import {
  findDeviceProfile,
  listDeviceProfiles,
  putDeviceProfile,
  type StoredProfile,
} from '../../db/device-profile-store';
import { isRejection } from '../../twins/errors';
import { parseDeviceProfile } from '../../twins/profiles';
import { deviceLifecycleHistoryOf, findDeviceTwin } from '../../db/device-projection';
import {
  LIFECYCLE_STATES,
  type DeviceTwinSettings,
  type DeviceTwinState,
  type LifecycleState,
} from '../../twins/device';
import { deviceWorkflowId, isValidId } from '../../twins/ids';
import { checkOcppIdentity, protocolOf } from './ocpp-identity';
import {
  deviceTwinUpdater,
  registerDeviceTwin,
  type DeviceTwinUpdater,
} from '../../workflows/device-twin/client';
import {
  sendCommandUpdate,
  setTagsUpdate,
  transitionLifecycleUpdate,
  updateDesiredUpdate,
} from '../../workflows/device-twin/messages';
import type { GuardContext } from '../auth/guard';
import { apiError, fromTemporal } from '../errors';
import type { OutboxHub } from '../outbox-hub';
import { deviceView, lifecycleChangeView } from './device-view';
import type { TemporalUiLink } from './temporal-ui/resolvers';

export interface ApiContext extends GuardContext {
  database: Database;
  temporal: Client;
  /** This process's live outbox feed, which subscriptions follow. */
  outbox: OutboxHub;
  twinSettings: DeviceTwinSettings;
  /** Where partner webhooks' delivery workflows run (default: the twins' queue). */
  webhookTaskQueue?: string;
  /** Where tenant-given URLs may lead; checked again where the worker or gateway connects. */
  egress: UrlPolicy;
  /** The gateway's base URL as devices reach it, for one-time upload URLs (DEVICE_UPLOAD_URL). */
  deviceUploadUrl?: string;
  /** The installation's Temporal UI, for links to workflows (DOPPEL_TEMPORAL_UI_URL); absent: none. */
  temporalUi?: TemporalUiLink;
  /** OCPI's CPO interface (graphql/ocpi), for registering Doppel with an eMSP. */
  ocpi?: OcpiDeps;
}

type DeviceArgs = { tenantId: string; deviceId: string };

function requireId(name: string, value: string): void {
  if (!isValidId(value)) {
    throw apiError(
      'api:input.invalid-id',
      `${name} must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      {
        field: name,
      },
    );
  }
}

function lifecycleFromEnum(value: string): LifecycleState {
  const state = value.toLowerCase() as LifecycleState;
  if (!LIFECYCLE_STATES.includes(state))
    throw apiError('api:input.invalid-lifecycle', `unknown lifecycle state ${value}`);
  return state;
}

const profileView = (stored: StoredProfile) => ({
  ...stored,
  model: stored.profile.model,
  vendor: stored.profile.vendor,
  document: stored.profile,
});

const optionalVersion = (v: number | null | undefined) =>
  typeof v === 'number' ? { expectedVersion: v } : {};

/**
 * Runs an update on a device twin (started from its record when it does not run yet) and
 * answers with its result and the device record.
 */
export async function updateTwin<R extends object>(
  ctx: ApiContext,
  input: DeviceArgs,
  run: (twin: DeviceTwinUpdater) => Promise<R>,
): Promise<R & { device: ReturnType<typeof deviceView> }> {
  requireId('tenantId', input.tenantId);
  requireId('deviceId', input.deviceId);
  const key = { tenantId: input.tenantId, deviceId: input.deviceId };
  try {
    const result = await run(
      deviceTwinUpdater(ctx.temporal, ctx.database, key, { settings: ctx.twinSettings }),
    );
    const state = await findDeviceTwin(ctx.database, key);
    if (!state) throw apiError('twin:device.not-found', `device ${input.deviceId} does not exist`);
    return { ...result, device: deviceView(state) };
  } catch (error) {
    throw fromTemporal(error, `device ${input.deviceId}`);
  }
}

export const resolvers = {
  DateTime,
  JSONObject: JSONObjectResolver,
  Device: {
    telemetry: async (
      device: DeviceTwinState,
      args: { from?: Date | null; to?: Date | null; last?: number | null },
      ctx: ApiContext,
    ) => {
      const last = args.last ?? 100;
      if (last < 1 || last > 1000)
        throw apiError('api:input.out-of-range', 'last must be between 1 and 1000');
      return readTelemetry(ctx.database, device, {
        last,
        ...(args.from ? { from: args.from.toISOString() } : {}),
        ...(args.to ? { to: args.to.toISOString() } : {}),
      });
    },
    lifecycleHistory: async (device: DeviceTwinState, _: unknown, ctx: ApiContext) =>
      (await deviceLifecycleHistoryOf(ctx.database, device)).map(lifecycleChangeView),
  },
  Query: {
    deviceProfile: async (
      _: unknown,
      args: { tenantId: string; model: string },
      ctx: ApiContext,
    ) => {
      const stored = await findDeviceProfile(ctx.database, args.tenantId, args.model);
      return stored ? profileView(stored) : null;
    },
    deviceProfiles: async (_: unknown, args: { tenantId: string }, ctx: ApiContext) =>
      (await listDeviceProfiles(ctx.database, args.tenantId)).map(profileView),
    device: async (_: unknown, args: DeviceArgs, ctx: ApiContext) => {
      const state = await findDeviceTwin(ctx.database, args);
      return state ? deviceView(state) : null;
    },
  },
  Mutation: {
    registerDevice: async (
      _: unknown,
      {
        input,
      }: { input: DeviceArgs & { model?: string | null; login?: 'SECRET' | 'CERTIFICATE' | null } },
      ctx: ApiContext,
    ) => {
      requireId('tenantId', input.tenantId);
      requireId('deviceId', input.deviceId);
      const protocol = await protocolOf(ctx.database, input.tenantId, input.model);
      const warnings = checkOcppIdentity('deviceId', input.deviceId, input.model, protocol);
      const key = { tenantId: input.tenantId, deviceId: input.deviceId };
      const login = input.login === 'CERTIFICATE' ? 'certificate' : 'secret';
      // A station is given a password it can keep (a 1.6 AuthorizationKey holds 20 bytes).
      const form = protocol?.startsWith('ocpp') ? 'station-password' : 'device-secret';
      const token = await issueDeviceSecret(ctx.database, key, login, form);
      if (!token) {
        throw apiError(
          'twin:device.already-registered',
          `device ${input.deviceId} is already registered in tenant ${input.tenantId}`,
        );
      }
      try {
        const model = input.model ? { model: input.model } : {};
        await registerDeviceTwin(
          ctx.temporal,
          key,
          { actor: ctx.principal.actor, ...model },
          { settings: ctx.twinSettings },
        );
      } catch (error) {
        throw fromTemporal(error, `device ${input.deviceId}`);
      }
      const state = await findDeviceTwin(ctx.database, key);
      return {
        device: state ? deviceView(state) : null,
        workflowId: deviceWorkflowId(key),
        token: login === 'certificate' ? null : token,
        warnings,
      };
    },
    transitionDevice: (
      _: unknown,
      {
        input,
      }: {
        input: DeviceArgs & {
          to: string;
          reason: string;
          replacedBy?: string | null;
          expectedVersion?: number | null;
        };
      },
      ctx: ApiContext,
    ) => {
      if (input.replacedBy) requireId('replacedBy', input.replacedBy);
      return updateTwin(ctx, input, async (handle) => {
        const result = await handle.executeUpdate(transitionLifecycleUpdate, {
          args: [
            {
              to: lifecycleFromEnum(input.to),
              actor: ctx.principal.actor,
              reason: input.reason,
              ...(input.replacedBy ? { replacedBy: input.replacedBy } : {}),
              ...optionalVersion(input.expectedVersion),
            },
          ],
        });
        return { version: result.version };
      });
    },
    putDeviceProfile: async (
      _: unknown,
      args: { tenantId: string; profile: unknown },
      ctx: ApiContext,
    ) => {
      requireId('tenantId', args.tenantId);
      const profile = parseDeviceProfile(args.profile);
      if (isRejection(profile)) throw apiError(profile.code, profile.message);
      const version = await putDeviceProfile(ctx.database, args.tenantId, profile);
      return profileView({ profile, version });
    },
    sendCommand: (
      _: unknown,
      {
        input,
      }: {
        input: DeviceArgs & {
          name: string;
          params?: Record<string, unknown> | null;
          ttlSeconds?: number | null;
          commandId?: string | null;
        };
      },
      ctx: ApiContext,
    ) => {
      const request = {
        actor: ctx.principal.actor,
        id: input.commandId ?? randomUUID(),
        name: input.name,
        params: input.params ?? {},
        ttlMs: (input.ttlSeconds ?? 3600) * 1000,
      };
      return updateTwin(ctx, input, (handle) =>
        handle.executeUpdate(sendCommandUpdate, { args: [request] }),
      );
    },
    setDeviceTags: (
      _: unknown,
      { input }: { input: DeviceArgs & { tags: string[] } },
      ctx: ApiContext,
    ) =>
      updateTwin(ctx, input, (handle) =>
        handle.executeUpdate(setTagsUpdate, {
          args: [{ actor: ctx.principal.actor, tags: input.tags }],
        }),
      ),
    updateDesired: (
      _: unknown,
      {
        input,
      }: {
        input: DeviceArgs & { patch: Record<string, unknown>; expectedVersion?: number | null };
      },
      ctx: ApiContext,
    ) =>
      updateTwin(ctx, input, (handle) =>
        handle.executeUpdate(updateDesiredUpdate, {
          args: [
            {
              actor: ctx.principal.actor,
              patch: input.patch,
              ...optionalVersion(input.expectedVersion),
            },
          ],
        }),
      ),
  },
};

import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { listBackends, saveBackend } from '../../db/backend-store';
import { closeOpenChargingSessions } from '../../db/charging-session-store';
import type { Database } from '../../db/client';
import { findDeviceProfile } from '../../db/device-profile-store';
import { findDeviceTwin } from '../../db/device-projection';
import { consumeClaim } from '../../db/provisioning-store';
import type { DeviceTwinState, LifecycleState } from '../../twins/device';
import { isRejection, reject, type Rejection } from '../../twins/errors';
import type { DeviceKey } from '../../twins/ids';
import { assetTwinHandle } from '../asset-twin/client';
import { unbindDeviceUpdate } from '../asset-twin/messages';
import { deviceTwinUpdater } from '../device-twin/client';
import { sendCommandUpdate, transitionLifecycleUpdate } from '../device-twin/messages';

/** A twin's refusal (an update failed with a typed ApplicationFailure) as a Rejection. */
export function refusalOf(error: unknown): Rejection | null {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure)
    return reject(error.cause.type ?? 'twin:refused', error.cause.message);
  if (error instanceof WorkflowNotFoundError)
    return reject('fleet:twin.not-found', `${error.workflowId ?? 'a twin'} does not exist`);
  return null;
}

/** The worker's Temporal client, which activities that talk to twins cannot do without. */
export function requireClient(temporal: Client | undefined): Client {
  if (!temporal)
    throw ApplicationFailure.nonRetryable(
      'this worker was started without a Temporal client',
      'worker:config.temporal-client-missing',
    );
  return temporal;
}

/** A pending command to carry over to another device, with what is left of its time to live. */
export interface CarriedCommand {
  id: string;
  name: string;
  params: Record<string, unknown>;
  ttlMs: number;
}

/**
 * Activities of the fleet operations (retirement, replacement). Each is idempotent: a retry
 * finds what the previous attempt did and does nothing twice.
 */
export function createFleetActivities(database: Database, temporal?: Client) {
  const client = () => requireClient(temporal);
  const twin = (key: DeviceKey) => deviceTwinUpdater(client(), database, key);
  const guarded = async (run: () => Promise<unknown>): Promise<Rejection | null> => {
    try {
      await run();
      return null;
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal) return refusal;
      throw error;
    }
  };

  return {
    /** The device's record (its twin may not run yet), or null when there is no such device. */
    async deviceSnapshot(key: DeviceKey): Promise<DeviceTwinState | null> {
      const state = await findDeviceTwin(database, key);
      return state && state.version > 0 ? state : null;
    },

    /** The models a model's profile says it may replace; null without a profile. */
    async profileReplaces(tenantId: string, model: string): Promise<string[] | null> {
      return (await findDeviceProfile(database, tenantId, model))?.profile.replaces ?? null;
    },

    async transitionDevice(input: {
      key: DeviceKey;
      to: LifecycleState;
      actor: string;
      reason: string;
      replacedBy?: string;
    }): Promise<Rejection | null> {
      const { key, ...request } = input;
      return guarded(() => twin(key).executeUpdate(transitionLifecycleUpdate, { args: [request] }));
    },

    /** Ends the device's binding to the asset (guarded: a newer device stays bound). */
    async unbindFromAsset(input: {
      key: DeviceKey;
      assetId: string;
      actor: string;
      /** Why, for the asset's binding history. */
      reason?: string;
    }): Promise<Rejection | null> {
      const { key, assetId, actor, reason } = input;
      return guarded(() =>
        assetTwinHandle(client(), { tenantId: key.tenantId, assetId }).executeUpdate(
          unbindDeviceUpdate,
          { args: [{ actor, deviceId: key.deviceId, ...(reason ? { reason } : {}) }] },
        ),
      );
    },

    /**
     * Routing follows the device's place: backends that name the old device (match.devices)
     * name the new one instead, or drop it when there is none. A list that would become empty
     * (which would mean "every device") disables the backend instead. Returns what changed.
     */
    async rerouteDevice(input: {
      tenantId: string;
      deviceId: string;
      to: string | null;
    }): Promise<string[]> {
      const changes: string[] = [];
      for (const { backend } of await listBackends(database, input.tenantId)) {
        const devices = backend.match.devices;
        if (!devices?.includes(input.deviceId)) continue;
        const rest = devices.filter((d) => d !== input.deviceId);
        const next = input.to ? [...new Set([...rest, input.to])] : rest;
        const saved = await saveBackend(
          database,
          input.tenantId,
          next.length > 0
            ? { ...backend, match: { ...backend.match, devices: next } }
            : { ...backend, enabled: false },
          'update',
        );
        if (isRejection(saved)) throw ApplicationFailure.nonRetryable(saved.message, saved.code);
        changes.push(
          next.length > 0
            ? `backend ${backend.id}: ${input.deviceId} → ${input.to ?? '(removed)'}`
            : `backend ${backend.id}: disabled (it named only ${input.deviceId})`,
        );
      }
      return changes;
    },

    async consumeClaim(key: DeviceKey): Promise<void> {
      await consumeClaim(database, key, new Date());
    },

    /** Charging sessions still open on the device end now, with this stop reason; returns how many. */
    async closeOpenSessions(input: { key: DeviceKey; reason: string }): Promise<number> {
      return closeOpenChargingSessions(database, input.key, input.reason);
    },

    /** Queues commands on a device (same ids: a retry queues nothing new). */
    async queueCommands(input: {
      key: DeviceKey;
      actor: string;
      commands: CarriedCommand[];
    }): Promise<Rejection | null> {
      for (const c of input.commands) {
        const refusal = await guarded(() =>
          twin(input.key).executeUpdate(sendCommandUpdate, {
            args: [
              { actor: input.actor, id: c.id, name: c.name, params: c.params, ttlMs: c.ttlMs },
            ],
          }),
        );
        if (refusal) return refusal;
      }
      return null;
    },
  };
}

export type FleetActivities = ReturnType<typeof createFleetActivities>;

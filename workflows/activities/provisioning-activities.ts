import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Database } from '../../db/client';
import {
  consumeClaim,
  findAdmissionHook,
  recordProvisioning,
  storeIdentity,
  type ProvisioningRecord,
} from '../../db/provisioning-store';
import type { Egress } from '../../outbound/egress';
import { postSigned } from '../../outbound/signed-post';
import type { ActivationWatch } from '../../twins/device';
import { reject, type Rejection } from '../../twins/errors';
import { refusalOf, requireClient } from './fleet-activities';
import { deviceWorkflowId, type DeviceKey } from '../../twins/ids';
import {
  admissionAnswerSchema,
  type AdmissionAnswer,
  type ProvisionRequest,
} from '../../twins/provisioning/request';
import { assetTwinHandle } from '../asset-twin/client';
import { bindDeviceUpdate } from '../asset-twin/messages';
import { deviceTwinUpdater, registerDeviceTwin } from '../device-twin/client';
import {
  deviceStateQuery,
  setTagsUpdate,
  transitionLifecycleUpdate,
  updateDesiredUpdate,
} from '../device-twin/messages';

/**
 * Activities of the provisioning workflow. Each is idempotent: a retry after a crash finds
 * what the previous attempt wrote and goes on.
 */
export function createProvisioningActivities(
  database: Database,
  temporal: Client | undefined,
  egress: Egress,
) {
  const client = () => requireClient(temporal);

  return {
    async recordProvisioning(record: ProvisioningRecord): Promise<void> {
      await recordProvisioning(database, record);
    },

    /**
     * Asks the tenant's admission hook, when it has one (allowed otherwise). The request is
     * POSTed as JSON, signed like the gateway's webhook backends (doppel-hmac); an answer that
     * is not 2xx with a valid body fails the attempt (retried by the workflow's policy).
     */
    async askAdmissionHook(input: {
      tenantId: string;
      actor: string;
      request: Omit<ProvisionRequest, 'claimToken'>;
    }): Promise<AdmissionAnswer> {
      const hook = await findAdmissionHook(database, input.tenantId);
      if (!hook) return { allow: true };
      const body = JSON.stringify({
        type: 'doppel.provisioning.admission',
        tenantId: input.tenantId,
        actor: input.actor,
        request: input.request,
      });
      const response = await postSigned(egress, {
        url: hook.url,
        body,
        signing: { scheme: 'doppel-hmac', secret: hook.secret },
        contentType: 'application/json',
        timeoutMs: hook.timeoutMs,
      });
      const text = await response.text();
      if (!response.ok)
        throw ApplicationFailure.retryable(
          `admission hook answered ${response.status}`,
          'provisioning:admission-hook.status',
        );
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw ApplicationFailure.nonRetryable(
          'admission hook answered with something that is not JSON',
          'provisioning:admission-hook.invalid',
        );
      }
      const answer = admissionAnswerSchema.safeParse(json);
      if (!answer.success)
        throw ApplicationFailure.nonRetryable(
          `admission hook answer is invalid: ${answer.error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; ')}`,
          'provisioning:admission-hook.invalid',
        );
      return answer.data;
    },

    /**
     * Registers the twin under the provisioning workflow's watch, with its tags, desired
     * configuration and asset. Returns the twin's or asset's refusal, if any.
     */
    async registerProvisionedTwin(input: {
      key: DeviceKey;
      actor: string;
      model?: string;
      activation: ActivationWatch;
      tags?: string[];
      desired?: Record<string, unknown>;
      assetId?: string;
      /** Why the device is bound, for the asset's binding history. */
      bindReason?: string;
    }): Promise<Rejection | null> {
      const { key, actor } = input;
      const temporal = client();
      try {
        await registerDeviceTwin(temporal, key, {
          actor,
          ...(input.model ? { model: input.model } : {}),
          activation: input.activation,
        });
        const handle = temporal.workflow.getHandle(deviceWorkflowId(key));
        const updater = deviceTwinUpdater(temporal, database, key);
        // Registration is idempotent: a twin registered before, by anything else, stays as it was.
        const twin = await handle.query(deviceStateQuery);
        if (twin.activation?.watcher !== input.activation.watcher)
          return reject(
            'provisioning:device.exists',
            `device ${key.deviceId} was registered before, outside this provisioning (it is ${twin.lifecycle.state})`,
          );
        if (input.tags)
          await updater.executeUpdate(setTagsUpdate, { args: [{ actor, tags: input.tags }] });
        if (input.desired)
          await updater.executeUpdate(updateDesiredUpdate, {
            args: [{ actor, patch: input.desired }],
          });
        if (input.assetId)
          await assetTwinHandle(temporal, {
            tenantId: key.tenantId,
            assetId: input.assetId,
          }).executeUpdate(bindDeviceUpdate, {
            args: [{ actor, deviceId: key.deviceId, reason: input.bindReason ?? 'provisioned' }],
          });
        return null;
      } catch (error) {
        const refusal = refusalOf(error);
        if (refusal) return refusal;
        throw error;
      }
    },

    async storeIdentity(input: {
      key: DeviceKey;
      method: 'credentials' | 'claim';
      hash: string;
      expiresAt: string;
    }): Promise<void> {
      await storeIdentity(database, input.key, input);
    },

    /** Activation verified: the device becomes active and its claim token is spent. */
    async activateDevice(input: {
      key: DeviceKey;
      actor: string;
      reason: string;
    }): Promise<Rejection | null> {
      try {
        await deviceTwinUpdater(client(), database, input.key).executeUpdate(
          transitionLifecycleUpdate,
          { args: [{ to: 'active', actor: input.actor, reason: input.reason }] },
        );
      } catch (error) {
        const refusal = refusalOf(error);
        if (refusal) return refusal;
        throw error;
      }
      await consumeClaim(database, input.key, new Date());
      return null;
    },
  };
}

export type ProvisioningActivities = ReturnType<typeof createProvisioningActivities>;

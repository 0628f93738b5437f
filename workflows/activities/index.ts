import type { Client } from '@temporalio/client';
import type { Database } from '../../db/client';
import { findDeviceTwin, projectDeviceTwin } from '../../db/device-projection';
import {
  commitDeviceCommands,
  type TwinCommit,
  type TwinCommitOutcome,
} from '../../db/device-commit';
import type { DeviceKey } from '../../twins/ids';
import type { DeviceEvent, DeviceTwinState } from '../../twins/device';
import { DEFAULT_OUTBOX_RETENTION_MS } from '../outbox-retention/messages';
import { createAssetActivities } from './asset-activities';
import { createBulkProvisioningActivities } from './bulk-provisioning-activities';
import { createWatchdogActivities } from './gateway-watchdog-activities';
import { createOutboxRetentionActivities } from './outbox-retention-activities';
import { createProvisioningActivities } from './provisioning-activities';
import { createFleetActivities } from './fleet-activities';
import { createRolloutActivities } from './rollout-activities';
import { createWebhookActivities } from './webhook-activities';
import { createOcpiPushActivities } from './ocpi-push-activities';
import { createOcpiTokenPullActivities } from './ocpi-token-pull-activities';
import { createOcpiCommandActivities } from './ocpi-command-activities';
import { createOcpiSessionActivities } from './ocpi-session-activities';
import { createLedgerActivities } from './ledger-activities';
import { createSiteLoadActivities } from './site-load-activities';
import type { LedgerSigner } from '../../db/ledger-checkpoints';
import { createEgress, type Egress } from '../../outbound/egress';
import { contextFrom, traced, tracing } from '../../observability/tracing';

/** Activities of the twin workflows; they are the only place twins touch PostgreSQL. */
export function createTwinActivities(
  database: Database,
  temporal: Client,
  options: {
    outboxRetentionMs?: number;
    ledgerSigner?: LedgerSigner | null;
    egress?: Egress;
    offlineGraceMs?: number;
  } = {},
) {
  const egress = options.egress ?? createEgress();
  return {
    ...createLedgerActivities(database, options.ledgerSigner ?? null),
    // The asset twin binds devices through their twins: that needs a Temporal client.
    ...createAssetActivities(database, temporal),
    ...createWatchdogActivities(database, options.offlineGraceMs ?? 15_000),
    ...createProvisioningActivities(database, temporal, egress),
    ...createFleetActivities(database, temporal),
    ...createRolloutActivities(database, temporal),
    ...createBulkProvisioningActivities(database, temporal),
    ...createWebhookActivities(database, egress),
    ...createSiteLoadActivities(database, temporal),
    ...createOcpiPushActivities(database, egress),
    ...createOcpiTokenPullActivities(database, egress),
    ...createOcpiCommandActivities(database, egress),
    ...createOcpiSessionActivities(database, egress),
    ...createOutboxRetentionActivities(
      database,
      options.outboxRetentionMs ?? DEFAULT_OUTBOX_RETENTION_MS,
    ),
    /** `traceparent`: the message the events come from (docs/operations.md, "Traces"). */
    async projectDeviceTwin(
      before: DeviceTwinState,
      events: DeviceEvent[],
      traceparent?: string,
    ): Promise<void> {
      await inTraceOf(before, traceparent, () => projectDeviceTwin(database, before, events));
    },
    /** The twin's commit in the device record (a local activity of the twin). */
    commitDeviceCommands: ({
      traceparent,
      ...commit
    }: TwinCommit & { readonly traceparent?: string }): Promise<TwinCommitOutcome> =>
      inTraceOf(commit.key, traceparent, () => commitDeviceCommands(database, commit)),
    /** The device record a twin starting without state begins from. */
    loadDeviceRecord: (key: DeviceKey): Promise<DeviceTwinState | null> =>
      findDeviceTwin(database, key),
  };
}

export type TwinActivities = ReturnType<typeof createTwinActivities>;

/**
 * Runs a twin's projection as a `twin projection` span in the trace of the message that
 * caused it (`traceparent`, carried by the twin's signal), so the outbox rows it writes carry
 * that trace on to the API's delivery. Untraced, it runs in the activity's own context.
 */
function inTraceOf<T>(key: DeviceKey, traceparent: string | undefined, work: () => Promise<T>) {
  if (!traceparent || !tracing()) return work();
  return traced('doppel-worker', 'twin projection', work, {
    parent: contextFrom(traceparent),
    attributes: { 'doppel.tenant': key.tenantId, 'doppel.device': key.deviceId },
  });
}

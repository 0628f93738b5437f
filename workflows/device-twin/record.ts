import {
  log,
  proxyLocalActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { DeviceCommand, DeviceTwinSettings, DeviceTwinState } from '../../twins/device';
import type { TwinActivities } from '../activities';
import type { Queued } from '../twin-queue';
import { closeRefusedConnects, recordEffects } from './effects';
import { changedSearchAttributes } from './search-attributes';

const { commitDeviceCommands } = proxyLocalActivities<TwinActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 ms', maximumInterval: '5 seconds' },
});

/**
 * Commits a batch of commands in the device record (docs/architecture.md, "The twin
 * workflow"): one local activity decides them on the locked record with the pure twin and
 * writes it; the twin adopts the record it returns, answers waiting updates from it and
 * carries out the effects of what changed since it last looked (`seen`).
 */
export async function commitInRecord(
  seen: DeviceTwinState,
  items: Queued<DeviceCommand, DeviceTwinState>[],
  settings: DeviceTwinSettings,
  /** This run's commit number: with the run id, the commit's id (a retry is recognised by it). */
  sequence: number,
  /** W3C trace context of the message the batch comes from: the commit is traced in it. */
  traceparent?: string,
): Promise<DeviceTwinState> {
  const outcome = await commitDeviceCommands({
    key: { tenantId: seen.tenantId, deviceId: seen.deviceId },
    id: `${workflowInfo().runId}:${sequence}`,
    settings,
    commands: items.map((i) => ({ command: i.command, reply: i.reply !== undefined })),
    ...(traceparent ? { traceparent } : {}),
  });
  const { after } = outcome;
  const changed = changedSearchAttributes(seen, after);
  if (changed.length > 0) upsertSearchAttributes(changed);
  await recordEffects(seen, outcome);
  const refusedConnects: Array<Extract<DeviceCommand, { type: 'connect' }>> = [];
  items.forEach((item, i) => {
    const result = outcome.results[i] ?? {};
    if (item.reply) item.reply(result.rejection ?? result.after ?? after);
    else if (result.rejection) {
      log.warn('command refused', {
        command: item.command.type,
        code: result.rejection.code,
        reason: result.rejection.message,
      });
      if (item.command.type === 'connect' && result.rejection.code === 'twin:device.closed')
        refusedConnects.push(item.command);
    }
  });
  // A gateway from before the record still tells the twin of connects: close refused ones.
  if (refusedConnects.length > 0) await closeRefusedConnects(after, refusedConnects);
  return after;
}

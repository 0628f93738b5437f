import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  decide,
  evolveAll,
  initialDeviceState,
  type DeviceCommand,
  type DeviceEvent,
} from '../../twins/device';
import { isRejection } from '../../twins/errors';
import type { TwinActivities } from '../activities';
import { deviceInputSignal, deviceStateQuery, type DeviceTwinArgs } from './messages';
import { changedSearchAttributes } from './search-attributes';

const { projectDeviceTwin } = proxyActivities<TwinActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 ms', maximumInterval: '10 seconds' },
});

/**
 * The device twin: an entity workflow per device (`device:<tenant>:<deviceId>`). It only
 * wires messages to the pure twin in twins/device and projects each change to PostgreSQL.
 */
export async function deviceTwin(args: DeviceTwinArgs): Promise<void> {
  let state = args.state ?? initialDeviceState(args);
  const inbox: DeviceCommand[] = [...(args.pending ?? [])];
  setHandler(deviceInputSignal, (input) => void inbox.push(...input.commands));
  setHandler(deviceStateQuery, () => state);

  for (;;) {
    await condition(() => inbox.length > 0 || workflowInfo().continueAsNewSuggested);
    if (inbox.length > 0) {
      const events: DeviceEvent[] = [];
      let next = state;
      for (const command of inbox.splice(0)) {
        const outcome = decide(next, command);
        if (isRejection(outcome)) {
          log.warn('command refused', {
            command: command.type,
            code: outcome.code,
            reason: outcome.message,
          });
          continue;
        }
        events.push(...outcome);
        next = evolveAll(next, outcome);
      }
      if (events.length > 0) {
        await projectDeviceTwin(state, events);
        const changed = changedSearchAttributes(state, next);
        if (changed.length > 0) upsertSearchAttributes(changed);
        state = next;
      }
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof deviceTwin>({
        tenantId: state.tenantId,
        deviceId: state.deviceId,
        state,
        pending: inbox,
      });
    }
  }
}

import type { Database } from '../../db/client';
import { projectDeviceTwin } from '../../db/device-projection';
import type { DeviceEvent, DeviceTwinState } from '../../twins/device';

/** Activities of the twin workflows; they are the only place twins touch PostgreSQL. */
export function createTwinActivities(database: Database) {
  return {
    async projectDeviceTwin(before: DeviceTwinState, events: DeviceEvent[]): Promise<void> {
      await projectDeviceTwin(database, before, events);
    },
  };
}

export type TwinActivities = ReturnType<typeof createTwinActivities>;

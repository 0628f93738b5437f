import type { IngestCommand, IngestOutcome, SessionEnding } from '../db/device-ingest';
import { NO_INTEREST, type TwinInterest } from '../twins/device';
import type { DeviceKey } from '../twins/ids';
import type { DeviceLinksOptions } from './device-links';

/** Hands a device message to the ingest writer with what the device's profile asks its twin to hear. */
export async function submitIngest(
  opts: Pick<DeviceLinksOptions, 'profile' | 'ingest' | 'settings'>,
  key: DeviceKey,
  model: string | null,
  command: IngestCommand,
  ending?: SessionEnding,
): Promise<IngestOutcome> {
  const interest: TwinInterest = model
    ? ((await opts.profile(key, model))?.twin ?? NO_INTEREST)
    : NO_INTEREST;
  return opts.ingest.submit({ key, command, settings: opts.settings, interest, ending });
}

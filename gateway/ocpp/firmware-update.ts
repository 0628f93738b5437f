import type { CommandOutcome } from '../../twins/device';
import {
  FIRMWARE_UPDATE,
  readFirmwareUpdate,
  type FirmwareProgress,
} from '../../twins/commands/firmware-update';
import type { OcppVersion } from './ocpp-version';
import { logCommand } from './log-request';

/** UpdateFirmware answers that mean the station took the update on (2.0.1; 1.6 answers `{}`). */
const ACCEPTED = new Set(['Accepted', 'AcceptedCanceled']);

/**
 * A command as a station gets it: the neutral `firmware-update` becomes UpdateFirmware in the
 * station's version (1.6 `{ location, retrieveDate }`, 2.0.1 `{ requestId, firmware: {
 * location, retrieveDateTime } }`), with `neutral` turning its answer into neutral terms; any
 * other command is the OCPP action itself.
 */
export function stationCommand(
  version: OcppVersion,
  name: string,
  params: Record<string, unknown>,
): {
  name: string;
  params: Record<string, unknown>;
  neutral?: (outcome: CommandOutcome) => CommandOutcome;
} {
  const update = name === FIRMWARE_UPDATE ? readFirmwareUpdate(params) : null;
  if (!update) return logCommand(version, name, params) ?? { name, params };
  return {
    name: 'UpdateFirmware',
    params:
      version === 'ocpp1.6'
        ? { location: update.location, retrieveDate: update.retrieveAt }
        : {
            requestId: update.requestId,
            firmware: { location: update.location, retrieveDateTime: update.retrieveAt },
          },
    neutral: (outcome) => {
      if (outcome.status !== 'succeeded') return outcome;
      const status = outcome.result?.status;
      return typeof status === 'string' && !ACCEPTED.has(status)
        ? { status: 'rejected', result: outcome.result }
        : outcome;
    },
  };
}

/** A FirmwareStatusNotification's status (1.6 and 2.0.1) in neutral terms. */
export function firmwareProgressOf(status: string): FirmwareProgress {
  if (/Failed$|^InvalidSignature$/.test(status)) return 'failed';
  if (/^Download(ing|Scheduled|Paused)$/.test(status)) return 'downloading';
  if (status === 'Downloaded' || status === 'SignatureVerified') return 'downloaded';
  if (/^Install(ing|Rebooting|Scheduled)$/.test(status)) return 'installing';
  if (status === 'Installed') return 'installed';
  return 'idle';
}

/**
 * The protocol-neutral firmware update: what a rollout asks of a device, whatever it speaks.
 * Each gateway adapter translates it into its own call (OCPP 1.6 and 2.0.1 `UpdateFirmware`,
 * a native JSON `update-firmware` command, an MQTT desired `firmware`) and answers in neutral
 * terms: `succeeded` when the device took the update on, `rejected` when it declined.
 */
export const FIRMWARE_UPDATE = 'firmware-update';

export interface FirmwareUpdate {
  /** The version the device runs after the update (its reboot into it is the proof). */
  readonly version: string;
  /** Where the device downloads the image. */
  readonly location: string;
  readonly checksum?: string;
  /** When the device may start the download (ISO 8601). */
  readonly retrieveAt: string;
  /** A number that names this request in the device's progress reports (OCPP 2.0.1). */
  readonly requestId: number;
}

/**
 * Where a device's update stands by its own progress reports, in neutral terms (OCPP's
 * FirmwareStatusNotification statuses map to these; `failed` is a failed download, signature
 * or installation).
 */
export type FirmwareProgress =
  'idle' | 'downloading' | 'downloaded' | 'installing' | 'installed' | 'failed';

/**
 * A request id in [0, 2^31) from the command's id, the same for the same command (FNV-1a): a
 * retried delivery names the same request.
 */
export function firmwareRequestId(commandId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < commandId.length; i++) {
    hash ^= commandId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 1;
}

/** The params of a `firmware-update` command. */
export function firmwareUpdateParams(
  commandId: string,
  firmware: { version: string; url: string; checksum?: string | undefined },
  retrieveAt: string,
): Record<string, unknown> {
  const update: FirmwareUpdate = {
    version: firmware.version,
    location: firmware.url,
    ...(firmware.checksum ? { checksum: firmware.checksum } : {}),
    retrieveAt,
    requestId: firmwareRequestId(commandId),
  };
  return { ...update };
}

/** The update a `firmware-update` command's params describe, or null when they do not. */
export function readFirmwareUpdate(params: Record<string, unknown>): FirmwareUpdate | null {
  const { version, location, checksum, retrieveAt, requestId } = params;
  if (typeof version !== 'string' || typeof location !== 'string') return null;
  if (typeof retrieveAt !== 'string' || typeof requestId !== 'number') return null;
  return {
    version,
    location,
    ...(typeof checksum === 'string' ? { checksum } : {}),
    retrieveAt,
    requestId,
  };
}

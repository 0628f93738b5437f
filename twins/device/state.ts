import type { DeviceKey } from '../ids';
import { emptyShadow, type Shadow } from '../shadow';
import type { DeviceCommandRecord } from './commands-queue';

export const LIFECYCLE_STATES = [
  'provisioned',
  'active',
  'inactive',
  'maintenance',
  'replaced',
  'retired',
] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

export type ConnectivityStatus = 'online' | 'offline' | 'unknown';
export type OfflineReason = 'disconnected' | 'heartbeat-missed' | 'gateway-lost' | 'will';

export interface Connectivity {
  readonly status: ConnectivityStatus;
  readonly reason: OfflineReason | null;
  /** ISO time of the last change of status. */
  readonly since: string | null;
  /** The gateway connection that carries the device while it is online. */
  readonly sessionId: string | null;
  readonly gatewayNode: string | null;
  /** The protocol of the device's last connection (absent before it was recorded). */
  readonly protocol?: string;
  /**
   * Set while a lost connection is inside its grace period: the device still counts as
   * online, and goes offline only if it has not reconnected by `deadline`.
   */
  readonly pendingOffline: {
    readonly reason: OfflineReason;
    readonly at: string;
    readonly deadline: string;
  } | null;
}

export interface LifecycleRecord {
  readonly state: LifecycleState;
  readonly at: string;
  readonly actor: string;
  readonly reason: string;
  /** The device that took this one's place, when `state` is `replaced`. */
  readonly replacedBy?: string | null;
}

/** Where in the twin graph the device is installed: bound to one asset at a time. */
export interface Binding {
  readonly assetId: string;
  readonly siteId: string | null;
  readonly customerId: string | null;
  readonly since: string;
}

/**
 * A provisioning workflow verifying the device's activation: while the device is
 * `provisioned`, the twin does not activate it on first connection but tells the watcher what
 * it observes (connection, model, firmware, the watched reported fields).
 */
export interface ActivationWatch {
  /** The provisioning workflow's id. */
  readonly watcher: string;
  /** Reported fields (dot paths into the reported document) the watcher wants to see. */
  readonly fields: readonly string[];
}

/** Everything a device twin knows. Plain data: it is workflow state and the projection. */
export interface DeviceTwinState extends DeviceKey {
  readonly lifecycle: LifecycleRecord;
  readonly connectivity: Connectivity;
  /** Desired and reported state with AWS-shadow semantics; its version guards desired changes. */
  readonly shadow: Shadow;
  /** Reported fields the device profile did not accept as they came: field → issue code. */
  readonly flagged: Readonly<Record<string, string>>;
  readonly model: string | null;
  readonly firmware: string | null;
  readonly binding: Binding | null;
  /** Operator labels for filters and rollout targets; sorted, unique. */
  readonly tags: readonly string[];
  /** Set while a provisioning workflow verifies activation (absent in older twins). */
  readonly activation?: ActivationWatch | null;
  /** The declared lifecycle-relevant fields as the twin last noted them (absent before any). */
  readonly noted?: Readonly<Record<string, unknown>>;
  /** Commands to the device: open ones, then the newest finished ones. */
  readonly commands: readonly DeviceCommandRecord[];
  /** Incremented by every event; the projection and subscribers order by it. */
  readonly version: number;
  /** Highest message sequence applied for the open session, for idempotent retries. */
  readonly lastSeq: number;
  readonly updatedAt: string | null;
}

export function initialDeviceState(key: DeviceKey): DeviceTwinState {
  return {
    tenantId: key.tenantId,
    deviceId: key.deviceId,
    lifecycle: { state: 'provisioned', at: '', actor: 'system', reason: 'created' },
    connectivity: {
      status: 'unknown',
      reason: null,
      since: null,
      sessionId: null,
      gatewayNode: null,
      pendingOffline: null,
    },
    shadow: emptyShadow(),
    flagged: {},
    model: null,
    firmware: null,
    binding: null,
    tags: [],
    commands: [],
    version: 0,
    lastSeq: 0,
    updatedAt: null,
  };
}

export interface DeviceTwinSettings {
  /** How long a lost connection may stay lost before the device counts as offline. */
  readonly offlineGraceMs: number;
  /**
   * Whether an older meter reading is kept from replacing a newer one (newest-readings.ts);
   * absent means yes. Only twin runs started before the rule say no, so they replay as recorded.
   */
  readonly newestReadingsWin?: boolean;
  /**
   * Whether a provisioned device's first `connect` activates it (absent means yes). The ingest
   * path says no: it never decides lifecycle, the twin does when it observes the connection.
   */
  readonly activateOnConnect?: boolean;
}

export const DEFAULT_DEVICE_SETTINGS: DeviceTwinSettings = { offlineGraceMs: 15_000 };
